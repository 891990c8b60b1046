//! Set-based inserts: many rows of one table in one statement with a single parameter, the rows
//! as a JSON array that the database expands itself (`json_populate_recordset` over the
//! table's own row type on PostgreSQL, `json_each` on SQLite). A multi-row `VALUES` insert of
//! 1,000 audit rows binds 13,000 parameters, each built, cloned and encoded one by one on the
//! client; here the client writes one string and the database parses it in one pass. Values
//! are written as sqlx would bind them (timestamps as RFC 3339 with the offset, dates as
//! `YYYY-MM-DD`, booleans as `true`/`false`, which SQLite stores as 1/0), so a row reads back the
//! same whichever path wrote it.

use chrono::SecondsFormat;
use sea_orm::sea_query::Value;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, EntityName, EntityTrait, Iterable, Statement};

use super::StoreResult;

/// Rows per statement: a few megabytes of JSON at most.
pub const ROWS_PER_STATEMENT: usize = 5_000;

/// Inserts `rows` (every one with the same columns set) in statements of
/// [`ROWS_PER_STATEMENT`] rows. Entity hooks (`before_save`) do not run: callers seal what must
/// be sealed first, as for `insert_many`.
pub async fn insert<C, A>(conn: &C, rows: &[A]) -> StoreResult<()>
where
    C: ConnectionTrait,
    A: ActiveModelTrait,
{
    let Some(first) = rows.first() else { return Ok(()) };
    let columns: Vec<<A::Entity as EntityTrait>::Column> =
        <A::Entity as EntityTrait>::Column::iter().filter(|c| first.get(*c).is_set()).collect();
    let names: Vec<String> = columns.iter().map(|c| sea_orm::IdenStatic::as_str(c).to_owned()).collect();
    let table = <A::Entity as Default>::default().table_name().to_owned();
    let backend = conn.get_database_backend();
    let quoted = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
    let sql = match backend {
        DbBackend::Postgres => format!(
            "INSERT INTO \"{table}\" ({quoted}) SELECT {quoted} FROM json_populate_recordset(NULL::\"{table}\", $1::json)"
        ),
        _ => {
            let picks = names.iter().map(|n| format!("value ->> '{n}'")).collect::<Vec<_>>().join(", ");
            format!("INSERT INTO \"{table}\" ({quoted}) SELECT {picks} FROM json_each(?)")
        }
    };
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut text = String::with_capacity(chunk.len() * 64 * names.len());
        text.push('[');
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push('{');
            for (j, (column, name)) in columns.iter().zip(&names).enumerate() {
                if j > 0 {
                    text.push(',');
                }
                push_json_string(&mut text, name);
                text.push(':');
                match row.get(*column).into_value() {
                    Some(value) => push_value(&mut text, &value),
                    None => text.push_str("null"),
                }
            }
            text.push('}');
        }
        text.push(']');
        conn.execute_raw(Statement::from_sql_and_values(backend, sql.clone(), [Value::from(text)])).await?;
    }
    Ok(())
}

/// A subquery of the texts of a JSON array bound as the statement's only parameter (`?`, which
/// [`crate::store::counters::placeholders`] numbers on PostgreSQL): `x IN (…)` with thousands
/// of values and one parameter.
pub fn json_texts(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "SELECT json_array_elements_text(CAST(? AS json))",
        _ => "SELECT value FROM json_each(?)",
    }
}

/// One value as JSON, in the text sqlx binds for it.
fn push_value(out: &mut String, value: &Value) {
    match value {
        Value::ChronoDateTimeUtc(Some(v)) => push_json_string(out, &v.to_rfc3339_opts(SecondsFormat::AutoSi, false)),
        Value::ChronoDate(Some(v)) => push_json_string(out, &v.format("%F").to_string()),
        Value::String(Some(s)) => push_json_string(out, s),
        other => out.push_str(&sea_orm::sea_query::value::sea_value_to_json_value(other).to_string()),
    }
}

fn push_json_string(out: &mut String, s: &str) {
    // serde_json's escaping, straight into the buffer
    out.push_str(&serde_json::Value::from(s).to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_as_sqlx_binds_them() {
        let at: chrono::DateTime<chrono::Utc> = "2026-12-06T09:57:26.123456Z".parse().expect("instant");
        let mut out = String::new();
        push_value(&mut out, &Value::from(at));
        assert_eq!(out, "\"2026-12-06T09:57:26.123456+00:00\"");
        out.clear();
        push_value(&mut out, &Value::from(chrono::NaiveDate::from_ymd_opt(2015, 2, 1).expect("date")));
        assert_eq!(out, "\"2015-02-01\"");
        out.clear();
        push_value(&mut out, &Value::from("Nguyễn \"An\"\n"));
        assert_eq!(out, "\"Nguyễn \\\"An\\\"\\n\"");
        out.clear();
        push_value(&mut out, &Value::from(Option::<String>::None));
        assert_eq!(out, "null");
        out.clear();
        push_value(&mut out, &Value::from(true));
        assert_eq!(out, "true");
        out.clear();
        push_value(&mut out, &Value::from(42i64));
        assert_eq!(out, "42");
    }
}
