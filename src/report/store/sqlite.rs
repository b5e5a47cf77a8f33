//! The SQLite backend of the findings store: an embedded file (rusqlite, the bundled
//! library). Writers wait up to a minute for another writer's run to land.

use super::{Backend, StoreError, Value};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use std::path::Path;

/// An open SQLite store.
pub(super) struct Sqlite {
    conn: Connection,
    path: String,
}

impl Sqlite {
    /// Open (creating it if needed) the file at `path`.
    pub(super) fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let name = path.display().to_string();
        let conn = Connection::open(path).map_err(error(&name))?;
        // Another writer holds the lock for one run at most: wait for it.
        conn.busy_timeout(std::time::Duration::from_secs(60))
            .map_err(error(&name))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(error(&name))?;
        Ok(Sqlite { conn, path: name })
    }
}

/// The error of an SQLite call on the store at `path`.
fn error(path: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sqlite {
        path: path.to_string(),
        source,
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::ToSqlOutput::Borrowed;
        Ok(Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(*v),
            Value::Real(v) => ValueRef::Real(*v),
            Value::Text(v) => ValueRef::Text(v.as_bytes()),
        }))
    }
}

impl Backend for Sqlite {
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(error(&self.path))
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, StoreError> {
        let err = error(&self.path);
        let mut statement = self.conn.prepare_cached(sql).map_err(&err)?;
        let columns = statement.column_count();
        let mut rows = statement
            .query(rusqlite::params_from_iter(params))
            .map_err(&err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(&err)? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                values.push(match row.get_ref(i).map_err(&err)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Real(v) => Value::Real(v),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        Value::Text(String::from_utf8_lossy(t).into_owned())
                    }
                });
            }
            out.push(values);
        }
        Ok(out)
    }
}
