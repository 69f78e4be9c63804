// The inventory's public face: load + validate (with lines), semantic checks, secrets, JSON Schema.
export {
  parseInventory,
  validateInventory,
  loadInventory,
  readInventoryText,
  formatDiagnostic,
  InventoryError,
} from './load.js';
export type { Diagnostic, LoadedInventory, ValidationResult } from './load.js';
export { resolveSecrets, type Secrets, type SecretContext } from './secrets.js';
export { inventoryJsonSchema } from './json-schema.js';
export { REQUIRED_COMMANDS } from './semantic-config.js';
export { MAXMEMORY_LIMIT } from './semantic-memory.js';
export type { Prompter } from '../ui/prompt.js';
export { ROLES, PERSISTENCE, secretRef, inventorySchema } from './schema.js';
export type {
  Inventory,
  InventoryInput,
  Host,
  Storage,
  LogicalVolume,
  LvmStorage,
  PlainStorage,
  StorageMount,
  Role,
} from './schema.js';
export {
  dbHosts,
  masterHost,
  replicaHosts,
  sentinelHosts,
  haproxyHosts,
  hostByName,
  parseBytes,
  maxmemoryBytes,
} from './topology.js';
