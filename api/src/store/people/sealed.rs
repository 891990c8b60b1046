//! ID numbers at rest on `people` (issue 13): the entered number (`personal_id`), the
//! normalised one (`norm_personal_id`) and the rule outcome's copies of it (`outcome`, at
//! [`OUTCOME_ID_PATHS`]) are sealed with the installed key ring ([`crate::crypto::installed`]),
//! the table, column and row id as associated data. Lookups go through `personal_id_index`: the
//! blind index of the normalised number ([`lookup_key`]); `personal_id_valid` says whether it
//! is 12 digits (what the statistics count), so no SQL needs the clear number.
//!
//! A `people::Model` always holds what the table holds (sealed values); the small functions
//! here ([`personal_id_of`], [`norm_personal_id_of`], [`super::identity_of`],
//! [`super::parse_outcome`]) open them for the code that needs clear values. Writes stay clear
//! in memory: [`seal_active`] seals whatever an active model sets, from the entity's
//! `before_save` hook (single rows) and from [`super::bulk_insert`] (many rows). Without keys
//! (a database that was never given any) values are stored and read in clear; a clear value
//! left from before the keys is read as it is until `encrypt-existing` seals it.

use sea_orm::ActiveValue;
use serde_json::Value;

use super::*;
use crate::crypto::json::{OUTCOME_ID_FIX_FROM, OUTCOME_ID_FIX_TO, OUTCOME_ID_PATHS, OUTCOME_NORMALIZED_ID};
use crate::crypto::{Aad, KeyRing, is_encrypted};

/// The table whose columns this module seals.
pub const TABLE: &str = "people";
/// The sealed columns of `people`.
pub const PERSONAL_ID: &str = "personal_id";
pub const NORM_PERSONAL_ID: &str = "norm_personal_id";
pub const OUTCOME: &str = "outcome";

/// The key a normalised number is looked up by (`personal_id_index`): its blind index under
/// the installed index key, or the number itself when no keys are configured.
pub fn lookup_key(normalised: &str) -> String {
    match crate::crypto::installed() {
        Some(ring) => ring.blind_index(normalised).into_string(),
        None => normalised.to_owned(),
    }
}

/// Exactly 12 ASCII digits: what `personal_id_valid` stores.
pub fn is_valid_normalised(v: Option<&str>) -> bool {
    v.is_some_and(|s| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()))
}

fn corrupt(id: i64, column: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(format_args!("people.{column} of {id}"), err)
}

/// A sealed column's clear value; a clear stored value (no keys, or not yet sealed) reads as it is.
pub fn open_column(id: i64, column: &str, stored: Option<&str>) -> StoreResult<Option<String>> {
    let Some(stored) = stored else { return Ok(None) };
    if !is_encrypted(stored) {
        return Ok(Some(stored.to_owned()));
    }
    let ring = crate::crypto::installed()
        .ok_or_else(|| corrupt(id, column, "encrypted, and no keys are configured (data_keys, index_key)"))?;
    ring.decrypt(&Aad::new(TABLE, column, id), stored).map(Some).map_err(|e| corrupt(id, column, e))
}

/// The entered ID number of a record, in clear.
pub fn personal_id_of(p: &people::Model) -> StoreResult<Option<String>> {
    open_column(p.id, PERSONAL_ID, p.personal_id.as_deref())
}

/// The normalised ID number of a record, in clear.
pub fn norm_personal_id_of(p: &people::Model) -> StoreResult<Option<String>> {
    open_column(p.id, NORM_PERSONAL_ID, p.norm_personal_id.as_deref())
}

/// The rule outcome's JSON text of a record, its ID numbers in clear.
pub fn open_outcome_text(id: i64, stored: &str) -> StoreResult<std::borrow::Cow<'_, str>> {
    if !stored.contains(crate::crypto::format::PREFIX) {
        return Ok(std::borrow::Cow::Borrowed(stored));
    }
    let mut doc: Value = serde_json::from_str(stored).map_err(|e| corrupt(id, OUTCOME, e))?;
    let Some(ring) = crate::crypto::installed() else {
        // without keys an outcome is clear; a typed value may look sealed
        return Ok(std::borrow::Cow::Borrowed(stored));
    };
    match ring.decrypt_json(&mut doc, &Aad::new(TABLE, OUTCOME, id), &OUTCOME_ID_PATHS) {
        Ok(_) => Ok(std::borrow::Cow::Owned(doc.to_string())),
        // an outcome written before the keys (not yet sealed)
        Err(crate::crypto::CryptoError::NotEncrypted) => Ok(std::borrow::Cow::Borrowed(stored)),
        Err(e) => Err(corrupt(id, OUTCOME, e)),
    }
}

/// The ID numbers of an outcome's parts, each with its path pattern in the stored JSON
/// ([`OUTCOME_ID_PATHS`]): the normalised number and the repairs of the findings about the ID
/// number (`id_fixes`), from and to.
fn outcome_id_values<'a>(
    personal_id: Option<&'a mut String>,
    id_fixes: impl Iterator<Item = &'a mut rules::Fix>,
) -> Vec<(&'static str, &'a mut String)> {
    let mut out = Vec::new();
    if let Some(v) = personal_id {
        out.push((OUTCOME_NORMALIZED_ID, v));
    }
    for fix in id_fixes {
        out.push((OUTCOME_ID_FIX_FROM, &mut fix.from));
        out.push((OUTCOME_ID_FIX_TO, &mut fix.to));
    }
    out
}

/// The repairs of a typed outcome's findings about the ID number.
fn id_fixes(findings: &mut [rules::Finding]) -> impl Iterator<Item = &mut rules::Fix> {
    findings.iter_mut().filter(|f| f.field == Field::PersonalId).filter_map(|f| f.fix.as_mut())
}

/// A record's stored rule outcome parsed as it is stored: its ID numbers (the normalised number,
/// the ID repairs' from and to) still sealed, nothing decrypted. For readers of codes, fields,
/// severities and the other normalised values (the statistics' reasons, a verification
/// request's partial date), which thereby cost what they cost without keys.
pub fn parse_outcome_sealed(p: &people::Model) -> StoreResult<Outcome> {
    crate::store::read_json(format_args!("people.outcome of {}", p.id), &p.outcome)
}

/// Opens, in place, the ID numbers of an outcome read by [`parse_outcome_sealed`] (the typed
/// twin of [`open_outcome_text`], without a JSON tree). Without keys, or for an outcome written
/// before the keys (a value in clear where a sealed one belongs), it is left as stored.
pub fn open_outcome(id: i64, outcome: &mut Outcome) -> StoreResult<()> {
    open_outcome_id_values(id, outcome.normalized.personal_id.as_mut(), id_fixes(&mut outcome.findings))
}

/// [`open_outcome`] of an outcome read in parts: its normalised ID number and the repairs of
/// its findings about the ID number (a record's view keeps the rest untyped).
pub fn open_outcome_id_values<'a>(
    id: i64,
    personal_id: Option<&'a mut String>,
    id_fixes: impl Iterator<Item = &'a mut rules::Fix>,
) -> StoreResult<()> {
    open_outcome_values(id, outcome_id_values(personal_id, id_fixes))
}

/// Opens an outcome's sealed values, given with their paths: all of them, or none when one is
/// in clear (an outcome written before the keys).
fn open_outcome_values(id: i64, mut values: Vec<(&'static str, &mut String)>) -> StoreResult<()> {
    let Some(ring) = crate::crypto::installed() else { return Ok(()) };
    if values.is_empty() || values.iter().any(|(_, v)| !is_encrypted(v)) {
        return Ok(());
    }
    let aad = Aad::new(TABLE, OUTCOME, id);
    for (path, value) in &mut values {
        **value = ring.decrypt_json_str(&aad, path, value).map_err(|e| corrupt(id, OUTCOME, e))?;
    }
    Ok(())
}

/// The outcome's JSON text with its ID numbers sealed for row `id`. The outcome a writer
/// stores is [`Outcome`]'s JSON: read into that type, sealed field by field and written back
/// (cheaper than a JSON tree); any other document is sealed through the tree at
/// [`OUTCOME_ID_PATHS`].
fn seal_outcome_text(ring: &KeyRing, id: i64, text: &str) -> Result<String, sea_orm::DbErr> {
    if let Ok(mut outcome) = serde_json::from_str::<Outcome>(text) {
        return seal_outcome(ring, id, &mut outcome);
    }
    let mut doc: Value = serde_json::from_str(text).map_err(|e| db_err(OUTCOME, e))?;
    ring.encrypt_json(&mut doc, &Aad::new(TABLE, OUTCOME, id), &OUTCOME_ID_PATHS).map_err(|e| db_err(OUTCOME, e))?;
    Ok(doc.to_string())
}

/// Seals, in place, the ID numbers of `outcome` for row `id` and returns its JSON text as
/// stored. The values are sealed as [`KeyRing::encrypt_json`] seals them at
/// [`OUTCOME_ID_PATHS`], so either reader opens them.
fn seal_outcome(ring: &KeyRing, id: i64, outcome: &mut Outcome) -> Result<String, sea_orm::DbErr> {
    let aad = Aad::new(TABLE, OUTCOME, id);
    for (path, value) in outcome_id_values(outcome.normalized.personal_id.as_mut(), id_fixes(&mut outcome.findings)) {
        *value = ring.encrypt_json_str(&aad, path, value).map_err(|e| db_err(OUTCOME, e))?;
    }
    serde_json::to_string(outcome).map_err(|e| db_err(OUTCOME, e))
}

fn db_err(what: &str, err: impl std::fmt::Display) -> sea_orm::DbErr {
    sea_orm::DbErr::Custom(format!("sealing people.{what}: {err}"))
}

/// Seals the ID numbers an active model sets, and sets the lookup columns from the normalised
/// number: the blind index and its validity. Values left unset or unchanged are left alone
/// (they are stored already). An insert must carry its id (the associated data names the row).
pub fn seal_active(active: &mut people::ActiveModel, ring: Option<&KeyRing>) -> Result<(), sea_orm::DbErr> {
    seal_active_with(active, ring, None)
}

/// [`seal_active`] for a writer that still holds the outcome it set (typed): its numbers are
/// sealed in `outcome` itself (which is left holding them sealed) and the text comes from it,
/// so the text set on `active` is not read again. `outcome` must be what `active.outcome` sets.
pub fn seal_active_with(
    active: &mut people::ActiveModel,
    ring: Option<&KeyRing>,
    outcome: Option<&mut Outcome>,
) -> Result<(), sea_orm::DbErr> {
    if let ActiveValue::Set(norm) = &active.norm_personal_id {
        let norm = norm.clone();
        active.personal_id_valid = ActiveValue::Set(is_valid_normalised(norm.as_deref()));
        active.personal_id_index = ActiveValue::Set(norm.as_deref().map(|n| match ring {
            Some(ring) => ring.blind_index(n).into_string(),
            None => n.to_owned(),
        }));
    }
    let Some(ring) = ring else { return Ok(()) };
    let sets_sealed = matches!(active.personal_id, ActiveValue::Set(Some(_)))
        || matches!(active.norm_personal_id, ActiveValue::Set(Some(_)))
        || matches!(active.outcome, ActiveValue::Set(_));
    if !sets_sealed {
        return Ok(());
    }
    let id = match &active.id {
        ActiveValue::Set(id) | ActiveValue::Unchanged(id) => *id,
        ActiveValue::NotSet => return Err(db_err("id", "a row with ID numbers is written before its id is known")),
    };
    for (column, value) in [(PERSONAL_ID, &mut active.personal_id), (NORM_PERSONAL_ID, &mut active.norm_personal_id)] {
        if let ActiveValue::Set(Some(clear)) = value
            && !clear.is_empty()
        {
            let sealed = ring.encrypt(&Aad::new(TABLE, column, id), clear).map_err(|e| db_err(column, e))?;
            *value = ActiveValue::Set(Some(sealed));
        }
    }
    if let ActiveValue::Set(text) = &active.outcome {
        let sealed = match outcome {
            Some(outcome) => seal_outcome(ring, id, outcome)?,
            None => seal_outcome_text(ring, id, text)?,
        };
        active.outcome = ActiveValue::Set(sealed);
    }
    Ok(())
}

/// The id a new record will get, taken before its insert so that its sealed values can name
/// their row: PostgreSQL's sequence, or on SQLite (whose writers take the lock at `BEGIN
/// IMMEDIATE`) the next id after the largest.
pub async fn reserve_id<C: ConnectionTrait>(conn: &C) -> StoreResult<i64> {
    crate::store::sealing::reserve_ids(conn, TABLE, 1).await?.pop().ok_or(StoreError::NotFound)
}
