//! The problems with one field, shown right under it as the worker goes.

use dioxus::prelude::*;
use shared::ValidationErrors;

/// Every problem recorded for `field`, each as its own line, announced to screen readers.
#[component]
pub fn FieldProblems(problems: ValidationErrors, field: String) -> Element {
    rsx! {
        for (i, problem) in problems.for_field(&field).enumerate() {
            p { key: "{i}", class: "problem", role: "alert", "data-field": "{field}", "{problem.message}" }
        }
    }
}
