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

/// How many of something, in words: "1 visit", "3 visits", "0 visits". Every count the
/// product shows goes through here, so a worker never reads "1 tries" or "visit(s)".
pub fn count<N>(n: N, one: &str, many: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    if n == N::from(1) { format!("{n} {one}") } else { format!("{n} {many}") }
}

/// A number of working days in words: "1 working day", "3 working days".
pub fn working_days<N>(n: N) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    count(n, "working day", "working days")
}

#[cfg(test)]
mod tests {
    use super::{as_sentence, count, working_days};

    #[rstest::rstest]
    #[case::none(0, "0 visits")]
    #[case::one(1, "1 visit")]
    #[case::several(3, "3 visits")]
    fn a_count_is_singular_only_for_one(#[case] n: usize, #[case] words: &str) {
        assert_eq!(count(n, "visit", "visits"), words);
    }

    #[test]
    fn working_days_read_as_words_for_every_kind_of_number() {
        assert_eq!(working_days(1_u32), "1 working day");
        assert_eq!(working_days(12_i64), "12 working days");
        assert_eq!(working_days(0_usize), "0 working days");
    }

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
