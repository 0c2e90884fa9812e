//! Validation problems, reported all at once and each tied to its field.

use serde::{Deserialize, Serialize};

/// One problem with one field, in words a social worker understands.
///
/// **Wire format:** sent by the server in 4xx bodies and shown inline by the app. Do not change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field's path in the record, for example `seen_alone.reason` or
    /// `interpreters[1].not_used_reason`.
    pub field: String,
    /// What is wrong and what to do about it, in plain language.
    pub message: String,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Every problem found in a record. Never empty when returned as an error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}, first: {}", crate::text::count(.0.len(), "problem", "problems"), .0.first().map(|e| e.field.as_str()).unwrap_or("none"))]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// Records a problem.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// `Ok(())` if nothing was recorded, otherwise every problem.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// The problems recorded for one field, for showing inline next to it.
    pub fn for_field<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a FieldError> + 'a {
        self.0.iter().filter(move |e| e.field == field)
    }

    /// Whether any problem names `field`.
    pub fn has(&self, field: &str) -> bool {
        self.for_field(field).next().is_some()
    }
}

/// Whether a free-text answer is missing (empty or only spaces).
pub(crate) fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}
