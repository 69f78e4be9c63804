// ACL rules (auth.users[].rules) checked against ACL SETUSER's grammar (redis src/acl.c ACLSetUser), so that a
// typo or a pasted path cannot reach users.acl as free text. Passwords are not rules here: they come from the
// user's secret reference, so `>pass`, `<pass`, `#hash` and `!hash` are refused. Selectors `(...)` are refused
// too (falkorctl renders one root permission set per user).

const FLAGS = new Set([
  'on',
  'off',
  'nopass',
  'resetpass',
  'reset',
  'resetkeys',
  'resetchannels',
  'allkeys',
  'allchannels',
  'allcommands',
  'nocommands',
  'sanitize-payload',
  'skip-sanitize-payload',
  'clearselectors',
]);

/** A glob as ACL patterns take it: printable ASCII without spaces (tokens split on them). */
const GLOB = /^[\x21-\x7e]{1,512}$/;
const COMMAND = /^[a-z][a-z0-9_.-]{0,63}(\|[a-z0-9_.-]{1,64})?$/i;
const CATEGORY = /^[a-z][a-z0-9_-]{0,63}$/i;

/** Why one token is not an ACL rule, or undefined when it is. */
function tokenError(t: string): string | undefined {
  const lower = t.toLowerCase();
  if (FLAGS.has(lower)) return undefined;
  if (/^[><#!]/.test(t))
    return 'passwords do not go in rules: falkorctl sets the password from the user\'s "password" reference';
  if (t.startsWith('(')) return 'selectors "(...)" are not supported: give one set of rules per user';
  const key = /^(?:~|%(?:R|W|RW)~)(.*)$/i.exec(t);
  if (key) return GLOB.test(key[1] ?? '') ? undefined : 'a key pattern needs printable characters after ~';
  if (t.startsWith('&')) return GLOB.test(t.slice(1)) ? undefined : 'a channel pattern needs printable characters';
  if (/^[+-]@/.test(t)) return CATEGORY.test(t.slice(2)) ? undefined : 'not a command category name';
  if (/^[+-]/.test(t)) return COMMAND.test(t.slice(1)) ? undefined : 'not a command name (or command|subcommand)';
  return 'not an ACL rule (on/off, ~pattern, %R~pattern, &channel, +command, -command, +@category, -@category, ...)';
}

/** The first problem in a rule string, naming the offending token; undefined when every token is a rule. */
export function aclRuleError(rules: string): string | undefined {
  const tokens = rules.split(' ').filter(Boolean);
  if (tokens.length > 256) return `${tokens.length} rules: at most 256`;
  for (const t of tokens) {
    const why = tokenError(t);
    if (why) return `${JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t)}: ${why}`;
  }
  return undefined;
}
