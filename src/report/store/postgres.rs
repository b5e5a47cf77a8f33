//! The PostgreSQL backend of the findings store: a team's shared database
//! (`postgres://USER@HOST:PORT/DATABASE`), through rust-postgres' synchronous client.
//! As libpq does, a URL without a password takes `PGPASSWORD`'s, and one without a
//! user the login name (`USER`); TLS as `sslmode` says (`url.rs` reads it, `tls.rs`
//! speaks it; the default is libpq's, `prefer`), and never over a Unix socket.

use super::tls::{self, Failure};
use super::url::SslMode;
use super::{redact, Backend, StoreError, Value};
use bytes::BytesMut;
use postgres::config::Host;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, Config, Statement};
use std::collections::HashMap;
use std::error::Error as _;
use std::str::FromStr;
use std::time::Duration;

/// A connected PostgreSQL store.
pub(super) struct Postgres {
    client: Client,
    /// The URL without its password.
    url: String,
    /// The statements prepared on this connection, by their text.
    prepared: HashMap<String, Statement>,
}

/// An error and its causes, one line (the server's own message when it answered).
pub(super) fn message(e: &postgres::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

impl Postgres {
    /// Connect to the database of `url`.
    pub(super) fn connect(url: &str) -> Result<Postgres, StoreError> {
        let shown = redact(url);
        let url_error = |message| StoreError::Url {
            url: shown.clone(),
            message,
        };
        let parsed = super::url::postgres(url, |k| std::env::var(k).ok()).map_err(url_error)?;
        let mut config = Config::from_str(&parsed.url).map_err(|e| url_error(message(&e)))?;
        if config.get_password().is_none() {
            if let Some(password) = std::env::var_os("PGPASSWORD") {
                config.password(password.as_encoded_bytes());
            }
        }
        if config.get_user().is_none() {
            if let Some(user) = std::env::var("USER")
                .ok()
                .or_else(|| std::env::var("LOGNAME").ok())
            {
                config.user(&user);
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        // The server has no TLS on its Unix socket: there, as libpq, no sslmode applies.
        let hosts = config.get_hosts();
        let socket_only = !hosts.is_empty() && hosts.iter().all(|h| !matches!(h, Host::Tcp(_)));
        let mode = if socket_only {
            SslMode::Disable
        } else {
            parsed.tls.mode
        };
        config.ssl_mode(match mode {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                postgres::config::SslMode::Require
            }
        });
        let connector = tls::connector(
            &super::url::Tls {
                mode,
                roots: parsed.tls.roots,
            },
            &shown,
        )?;
        let server = server_of(&config);
        let client = config.connect(connector).map_err(|e| {
            let (url, server) = (shown.clone(), server.clone());
            match tls::failure(&e) {
                Some(Failure::Unavailable) => StoreError::TlsUnavailable {
                    url,
                    server,
                    mode: mode.as_str(),
                },
                Some(Failure::Untrusted(message)) => StoreError::TlsUntrusted {
                    url,
                    server,
                    message,
                },
                Some(Failure::Host(message)) => StoreError::TlsHost {
                    url,
                    server,
                    message,
                },
                Some(Failure::Other(message)) => StoreError::Tls {
                    url,
                    server,
                    message,
                },
                None => StoreError::Connect {
                    url,
                    server,
                    message: message(&e),
                },
            }
        })?;
        Ok(Postgres {
            client,
            url: shown,
            prepared: HashMap::new(),
        })
    }

    fn error(&self, e: &postgres::Error) -> StoreError {
        StoreError::Postgres {
            url: self.url.clone(),
            message: message(e),
        }
    }
}

/// The host and port a configuration reaches, for messages.
fn server_of(config: &Config) -> String {
    let port = config.get_ports().first().copied().unwrap_or(5432);
    match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => format!("{h}:{port}"),
        Some(postgres::config::Host::Unix(dir)) => {
            format!("{}/.s.PGSQL.{port}", dir.display())
        }
        None => format!("localhost:{port}"),
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                _ => Err(format!("an integer for a parameter of type {ty}").into()),
            },
            Value::Real(v) => match *ty {
                Type::FLOAT8 => v.to_sql(ty, out),
                _ => Err(format!("a number for a parameter of type {ty}").into()),
            },
            Value::Text(v) => v.as_str().to_sql_checked(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl Backend for Postgres {
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client.batch_execute(sql).map_err(|e| self.error(&e))
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, StoreError> {
        let statement = match self.prepared.get(sql) {
            Some(s) => s.clone(),
            None => {
                let s = self.client.prepare(sql).map_err(|e| self.error(&e))?;
                self.prepared.insert(sql.to_string(), s.clone());
                s
            }
        };
        let params: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self
            .client
            .query(&statement, &params)
            .map_err(|e| self.error(&e))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut values = Vec::with_capacity(row.len());
            for (i, column) in row.columns().iter().enumerate() {
                let value = match *column.type_() {
                    Type::INT8 => row.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::Int)),
                    Type::INT4 => row
                        .try_get::<_, Option<i32>>(i)
                        .map(|v| v.map(|v| Value::Int(v.into()))),
                    Type::INT2 => row
                        .try_get::<_, Option<i16>>(i)
                        .map(|v| v.map(|v| Value::Int(v.into()))),
                    Type::BOOL => row
                        .try_get::<_, Option<bool>>(i)
                        .map(|v| v.map(Value::from)),
                    Type::FLOAT8 => row.try_get::<_, Option<f64>>(i).map(|v| v.map(Value::Real)),
                    _ => row
                        .try_get::<_, Option<String>>(i)
                        .map(|v| v.map(Value::Text)),
                }
                .map_err(|e| self.error(&e))?;
                values.push(value.unwrap_or(Value::Null));
            }
            out.push(values);
        }
        Ok(out)
    }
}
