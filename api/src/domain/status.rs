//! The statuses of background work as typed enums: verification jobs and their answers, and
//! imports. Each is stored as text (its [`as_str`](JobStatus::as_str) name, the same string the
//! API sends) and read back with `parse`, which answers `None` for an unknown value: the store
//! turns that into an error, never a default. The OpenAPI document carries them as enums.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Declares a text-stored enum: variants with their stored and wire names (the variant's
/// snake_case name, checked by the tests below), `as_str`, `parse` and `ALL`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and wire name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value a stored or wire name names.
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

text_enum! {
    /// A verification job's status.
    JobStatus {
        Queued = "queued",
        Running = "running",
        /// Paused while the registry is unavailable (`pauseReason` says why).
        Paused = "paused",
        Done = "done",
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// What one registry answer said about a record (verification history).
    HistoryOutcome {
        Matched = "matched",
        Mismatched = "mismatched",
        NotFound = "not_found",
        Invalid = "invalid",
        Error = "error",
    }
}

text_enum! {
    /// An import's status.
    ImportStatus {
        /// A background task is reading and planning the file.
        Processing = "processing",
        /// The preview is ready; nothing is written yet.
        Ready = "ready",
        Committed = "committed",
        Undone = "undone",
        /// The background task failed (`error` says why).
        Failed = "failed",
        /// Left unconfirmed past `import.expire_days`: can no longer be committed.
        Expired = "expired",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_its_stored_and_wire_name() {
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).expect("json"), s.as_str());
        }
        for s in HistoryOutcome::ALL {
            assert_eq!(HistoryOutcome::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).expect("json"), s.as_str());
        }
        for s in ImportStatus::ALL {
            assert_eq!(ImportStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).expect("json"), s.as_str());
        }
        assert_eq!(JobStatus::parse("finished"), None);
        assert_eq!(ImportStatus::parse(""), None);
    }
}
