//! Small rules for putting someone's words into a sentence of ours.

/// `text`, trimmed, as the end of a sentence: with a full stop added unless it already ends
/// with one (or with `!`, `?` or `…`). A manager's reason typed as "Family away." is printed
/// "Exception agreed: Family away.", never "Family away..".
pub fn as_sentence(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.ends_with(['.', '!', '?', '…']) {
        trimmed.to_owned()
    } else {
        format!("{trimmed}.")
    }
}

#[cfg(test)]
mod tests {
    use super::as_sentence;

    #[rstest::rstest]
    #[case::without_a_full_stop("Family away on holiday", "Family away on holiday.")]
    #[case::with_a_full_stop("Family away on holiday.", "Family away on holiday.")]
    #[case::with_a_full_stop_and_spaces("  Family away on holiday.  ", "Family away on holiday.")]
    #[case::with_a_question("Back next week?", "Back next week?")]
    #[case::with_an_exclamation("Seen at school!", "Seen at school!")]
    #[case::with_an_ellipsis("Seen at school…", "Seen at school…")]
    #[case::with_an_abbreviation_inside("Agreed with Dr. Hale", "Agreed with Dr. Hale.")]
    #[case::empty("", "")]
    fn a_reason_ends_with_exactly_one_full_stop(#[case] typed: &str, #[case] printed: &str) {
        assert_eq!(as_sentence(typed), printed);
    }
}
