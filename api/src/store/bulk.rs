//! Set-based inserts: many rows of one table in one statement. On PostgreSQL one parameter per
//! column, the column's values as the text of an array of the column's type
//! (`unnest($1::bigint[], $2::text[], …)`); on SQLite one parameter, the rows as a JSON array
//! of arrays (`json_each`, each row parsed once into JSONB, its values picked by position). A
//! multi-row `VALUES` insert of 1,000 audit rows binds 13,000 parameters, each built, cloned
//! and encoded one by one on the client; here the client writes a few strings and the database
//! parses them in one pass. (On PostgreSQL the rows were one JSON array too, through
//! `json_populate_recordset`: typed arrays insert 5,000 people rows 13 % faster at best and
//! 18 % in the median, measured with psql.) Values are written as sqlx would bind them
//! (timestamps as RFC 3339 with the offset, dates as `YYYY-MM-DD`, booleans as `true`/`false`,
//! which SQLite stores as 1/0), so a row reads back the same whichever path wrote it.

use chrono::SecondsFormat;
use sea_orm::sea_query::{ColumnType, Value};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityName, EntityTrait, Iterable, Statement,
};

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
    let array_types: Option<Vec<&str>> = columns.iter().map(|c| array_type(c.def().get_column_type())).collect();
    if let (DbBackend::Postgres, Some(types)) = (backend, array_types) {
        let arrays = types.iter().enumerate().map(|(i, t)| format!("${}::{t}[]", i + 1)).collect::<Vec<_>>().join(", ");
        let sql = format!("INSERT INTO \"{table}\" ({quoted}) SELECT * FROM unnest({arrays})");
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let values = columns.iter().map(|column| {
                let mut text = String::with_capacity(chunk.len() * 24);
                text.push('{');
                for (i, row) in chunk.iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    push_array_element(&mut text, row.get(*column).into_value());
                }
                text.push('}');
                Value::from(text)
            });
            conn.execute_raw(Statement::from_sql_and_values(backend, sql.clone(), values)).await?;
        }
        return Ok(());
    }
    let sql = match backend {
        DbBackend::Postgres => format!(
            "INSERT INTO \"{table}\" ({quoted}) SELECT {quoted} FROM json_populate_recordset(NULL::\"{table}\", $1::json)"
        ),
        // Each row an array of its values, parsed once into a materialized JSONB value and
        // picked by position: naming `json_each`'s `value` once per column made SQLite write
        // the row back out as text for every column (5,000 rows of 25 columns with SQLite 3.51
        // through pysqlite3: 0.18 s as objects named per column, 0.09 s this way; the import
        // bench's commit on SQLite 36.5 → 17–21 s).
        _ => {
            let picks = (0..names.len()).map(|i| format!("v ->> {i}")).collect::<Vec<_>>().join(", ");
            format!(
                "INSERT INTO \"{table}\" ({quoted}) \
                 WITH r(v) AS MATERIALIZED (SELECT jsonb(value) FROM json_each(?)) SELECT {picks} FROM r"
            )
        }
    };
    let objects = backend == DbBackend::Postgres;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut text = String::with_capacity(chunk.len() * 64 * names.len());
        text.push('[');
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push(if objects { '{' } else { '[' });
            for (j, (column, name)) in columns.iter().zip(&names).enumerate() {
                if j > 0 {
                    text.push(',');
                }
                if objects {
                    push_json_string(&mut text, name);
                    text.push(':');
                }
                match row.get(*column).into_value() {
                    Some(value) => push_value(&mut text, &value),
                    None => text.push_str("null"),
                }
            }
            text.push(if objects { '}' } else { ']' });
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

/// The PostgreSQL type of an array of a column's values; `None` for a type written here as JSON.
fn array_type(column: &ColumnType) -> Option<&'static str> {
    Some(match column {
        ColumnType::Char(_) | ColumnType::String(_) | ColumnType::Text => "text",
        ColumnType::SmallInteger => "smallint",
        ColumnType::Integer => "integer",
        ColumnType::BigInteger => "bigint",
        ColumnType::Boolean => "boolean",
        ColumnType::Double => "double precision",
        ColumnType::Date => "date",
        ColumnType::TimestampWithTimeZone => "timestamptz",
        _ => return None,
    })
}

/// One element of an array literal: `NULL`, or the value's text quoted (`"`, `\` escaped).
fn push_array_element(out: &mut String, value: Option<Value>) {
    let text = match &value {
        None => None,
        Some(Value::ChronoDateTimeUtc(Some(v))) => Some(v.to_rfc3339_opts(SecondsFormat::AutoSi, false)),
        Some(Value::ChronoDate(Some(v))) => Some(v.format("%F").to_string()),
        Some(Value::String(Some(s))) => Some(s.clone()),
        Some(other) => match sea_orm::sea_query::value::sea_value_to_json_value(other) {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s),
            json => Some(json.to_string()),
        },
    };
    let Some(text) = text else {
        out.push_str("NULL");
        return;
    };
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
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

    #[test]
    fn array_elements_are_quoted_escaped_or_null() {
        let cases: [(Option<Value>, &str); 7] = [
            (None, "NULL"),
            (Some(Value::from(Option::<String>::None)), "NULL"),
            (Some(Value::from("Nguyễn \"An\" \\ {x,y}")), r#""Nguyễn \"An\" \\ {x,y}""#),
            (Some(Value::from("NULL")), r#""NULL""#),
            (Some(Value::from(false)), r#""false""#),
            (Some(Value::from(-7i32)), r#""-7""#),
            (
                Some(Value::from("2026-12-06T09:57:26.123456Z".parse::<chrono::DateTime<chrono::Utc>>().expect("at"))),
                r#""2026-12-06T09:57:26.123456+00:00""#,
            ),
        ];
        for (value, expected) in cases {
            let mut out = String::new();
            let shown = format!("{value:?}");
            push_array_element(&mut out, value);
            assert_eq!(out, expected, "{shown}");
        }
    }
}
