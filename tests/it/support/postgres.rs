//! A throwaway PostgreSQL cluster for the findings-store tests (`tests/it/store.rs`):
//! `initdb` into a temp dir, `postgres` on a free 127.0.0.1 port with its Unix socket in
//! that dir, stopped when the guard drops.
//!
//! Finds the server's programs through `GSL_PG_BIN` (a directory with `initdb` and
//! `postgres`), then `PATH`, then Debian's `/usr/lib/postgresql/<N>/bin` (the newest).
//! Missing programs fail the test with instructions; they never skip it. As root (CI),
//! the cluster runs as `nobody` (initdb and postgres refuse root), through `setpriv`.
//!
//! [`Cluster::start_tls`] starts one with `ssl=on` and a certificate for `localhost`
//! only, signed by a CA made for the test (the `openssl` command: Debian's postgresql
//! brings it, through ssl-cert), with a second, unrelated CA to be refused.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const INSTALL_HINT: &str = "PostgreSQL's server programs (initdb, postgres, pg_ctl) are needed \
for the PostgreSQL store tests. Run the README's test command (scripts/test.sh installs Debian's \
`postgresql` package when they are missing), install it yourself (`apt-get install postgresql`), \
or set GSL_PG_BIN to the directory that has them.";

/// The directory of `initdb`, `postgres` and `pg_ctl`; panics with instructions.
pub fn bin_dir() -> PathBuf {
    find_bin_dir().unwrap_or_else(|e| panic!("{e}"))
}

/// The directory of `initdb`, `postgres` and `pg_ctl`, or why there is none.
pub fn find_bin_dir() -> Result<PathBuf, String> {
    let has = |dir: &Path| {
        ["initdb", "postgres", "pg_ctl"]
            .iter()
            .all(|p| dir.join(p).is_file())
    };
    if let Some(dir) = std::env::var_os("GSL_PG_BIN").filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return if has(&dir) {
            Ok(dir)
        } else {
            Err(format!(
                "GSL_PG_BIN={} has no initdb, postgres and pg_ctl. {INSTALL_HINT}",
                dir.display()
            ))
        };
    }
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|d| has(d)) {
            return Ok(dir);
        }
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, dir)| has(dir))
        .collect();
    debian.sort();
    debian.pop().map(|(_, dir)| dir).ok_or_else(|| {
        format!(
            "no PostgreSQL server found in GSL_PG_BIN, PATH or /usr/lib/postgresql/*/bin. {INSTALL_HINT}"
        )
    })
}

fn id(args: &[&str]) -> u32 {
    let out = Command::new("id").args(args).output().expect("run id");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("`id {}` gave no number", args.join(" ")))
}

const OPENSSL_HINT: &str = "the PostgreSQL TLS tests make their certificates with the `openssl` \
command, which is not found: install Debian's `openssl` package (Debian's `postgresql` brings it, \
through ssl-cert; scripts/test.sh installs it when missing)";

/// Run `openssl` with `args` in `dir`; panics with its output if it fails.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{OPENSSL_HINT} ({e})"));
    assert!(
        out.status.success(),
        "openssl {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`NAME.crt`, `NAME.key`) in `dir`.
fn make_ca(dir: &Path, name: &str) {
    let (key, crt, subject) = (
        format!("{name}.key"),
        format!("{name}.crt"),
        format!("/CN=gsl test {name}"),
    );
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            &key,
            "-out",
            &crt,
            "-subj",
            &subject,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
}

/// The certificates of a TLS cluster.
pub struct Certificates {
    /// The CA that signed the server's certificate (PEM).
    pub ca: PathBuf,
    /// Another CA, which did not.
    pub other_ca: PathBuf,
}

/// `ca` (signing), `other_ca`, and `server.crt`/`server.key` for `localhost` only
/// (not 127.0.0.1), in `dir`.
pub fn make_certificates(dir: &Path) -> Certificates {
    make_ca(dir, "ca");
    make_ca(dir, "other_ca");
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        dir.join("server.ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n",
    )
    .expect("write the extensions");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            "server.crt",
            "-extfile",
            "server.ext",
        ],
    );
    Certificates {
        ca: dir.join("ca.crt"),
        other_ca: dir.join("other_ca.crt"),
    }
}

/// A running cluster; stopped (and its directory removed) on drop.
pub struct Cluster {
    /// With `ssl=on`: its certificates.
    pub tls: Option<Certificates>,
    dir: tempfile::TempDir,
    bin: PathBuf,
    child: Child,
    /// As root: the user the cluster runs as (uid, gid).
    user: Option<(u32, u32)>,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Cluster {
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A command of the cluster's programs, as its user.
    fn command(bin: &Path, user: Option<(u32, u32)>, program: &str) -> Command {
        match user {
            None => Command::new(bin.join(program)),
            Some((uid, gid)) => {
                let mut c = Command::new("setpriv");
                c.args([
                    format!("--reuid={uid}"),
                    format!("--regid={gid}"),
                    "--clear-groups".into(),
                    // The server ends with the test's thread, even when the test process
                    // is killed before the guard drops.
                    "--pdeathsig=TERM".into(),
                    "--".into(),
                ])
                .arg(bin.join(program));
                c
            }
        }
    }

    /// Start a cluster (user `gsl`, trusted on 127.0.0.1 and the socket); panics with
    /// the server's log if it cannot.
    pub fn start() -> Cluster {
        Cluster::start_with(false)
    }

    /// [`Cluster::start`] with `ssl=on` and a certificate for `localhost`
    /// ([`Cluster::tls`]); clients may connect with TLS or without.
    pub fn start_tls() -> Cluster {
        Cluster::start_with(true)
    }

    fn start_with(tls: bool) -> Cluster {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("gsl-pg")
            .tempdir()
            .expect("temp dir");
        let user = (id(&["-u"]) == 0).then(|| (id(&["-u", "nobody"]), id(&["-g", "nobody"])));
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("chown temp dir");
        }
        let data = dir.path().join("data");
        let out = Cluster::command(&bin, user, "initdb")
            .args(["-D"])
            .arg(&data)
            .args([
                "-U",
                "gsl",
                "--auth=trust",
                "--no-sync",
                "--no-locale",
                "-E",
                "UTF8",
            ])
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let certificates = tls.then(|| {
            let certs = make_certificates(dir.path());
            // The server reads them as its user; its key must be its own and private.
            for f in ["server.crt", "server.key"] {
                let path = dir.path().join(f);
                if let Some((uid, gid)) = user {
                    std::os::unix::fs::chown(&path, Some(uid), Some(gid)).expect("chown");
                }
                let mode = if f == "server.key" { 0o600 } else { 0o644 };
                std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(mode))
                    .expect("chmod");
            }
            certs
        });
        let ssl: Vec<String> = match &certificates {
            Some(_) => vec![
                "ssl=on".into(),
                format!("ssl_cert_file={}", dir.path().join("server.crt").display()),
                format!("ssl_key_file={}", dir.path().join("server.key").display()),
            ],
            None => vec!["ssl=off".into()],
        };
        let log = std::fs::File::create(dir.path().join("server.log")).expect("log file");
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(dir.path().join("server.log"), Some(uid), Some(gid))
                .expect("chown log");
        }
        let child = Cluster::command(&bin, user, "postgres")
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(dir.path())
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=40",
            ])
            .args(ssl.iter().flat_map(|s| ["-c", s.as_str()]))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("start postgres");
        let mut cluster = Cluster {
            tls: certificates,
            dir,
            bin,
            child,
            user,
            port,
        };
        cluster.wait_ready();
        cluster
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("postgres exited ({status}): {}", self.log());
            }
            match postgres::Client::connect(&self.url(), postgres::NoTls) {
                Ok(_) => return,
                Err(e) if Instant::now() > deadline => {
                    panic!("postgres is not ready after 60 s ({e}): {}", self.log())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://gsl@127.0.0.1:{}/postgres", self.port)
    }

    /// The URL of its `postgres` database through the Unix socket in its directory,
    /// with `options` (URL-encoded) when given.
    pub fn socket_url(&self, options: Option<&str>) -> String {
        let mut url = format!(
            "postgres://gsl@/postgres?host={}&port={}",
            self.dir.path().display(),
            self.port
        );
        if let Some(o) = options {
            url.push_str("&options=");
            url.push_str(o);
        }
        url
    }

    /// A client of its `postgres` database.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls).expect("connect")
    }

    /// Whether each session of `application_name` is encrypted, as the server sees it
    /// (`pg_stat_ssl`).
    pub fn sessions_encrypted(&self, application_name: &str) -> Vec<bool> {
        self.client()
            .query(
                "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
                 WHERE a.application_name = $1",
                &[&application_name],
            )
            .expect("pg_stat_ssl")
            .iter()
            .map(|r| r.get(0))
            .collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // A fast shutdown (clients are disconnected), waited for; killed if that fails.
        let stopped = Cluster::command(&self.bin, self.user, "pg_ctl")
            .args(["stop", "-m", "fast", "-w", "-t", "30", "-D"])
            .arg(self.data())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
