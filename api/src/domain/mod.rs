//! Pure domain types and reference data: no IO beyond data compiled into the binary.

pub mod access;
pub mod admin_units;
/// Today's date in Vietnam, and the application's clock.
pub mod clock;
/// Dates of birth.
pub mod date;
/// Gender spellings.
pub mod gender;
/// Class grades.
pub mod grade;
/// The identity model: identity fields, patches, person kinds.
pub mod identity;
/// TCVN3 and VNI-Windows legacy font encodings.
pub mod legacy;
pub mod limits;
/// Person names and their keys.
pub mod name;
/// Unit kinds, school levels, positions, verification statuses.
pub mod org;
/// The 12-digit personal ID number.
pub mod personal_id;
pub mod rollover;
/// Statuses of verification jobs and imports.
pub mod status;
/// Vietnamese syllable structure and tone placement.
pub mod syllable;
/// Text helpers and the Vietnamese letter table.
pub mod text;
/// A Department's list of offices and schools, and what importing it changes.
pub mod unit_list;
/// Never make a record worse: new `error` findings of a write, and the fields to hold back.
pub mod worsen;
