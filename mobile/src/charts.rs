//! The desk's charts, drawn with `plotters` into SVG text that the page shows as it is. No I/O.
//!
//! Each chart comes with a text alternative that says what it shows and what stands out, and
//! the screen puts the table of figures behind it next to it, so nobody needs to see the
//! picture. Series differ by marker shape and line style as well as colour.

use chrono::NaiveDate;
use plotters::prelude::*;
use shared::desk::{EscalationMonth, MonthFigures};
use shared::text::count;

/// The size charts are drawn at; the page scales them to its width.
const SIZE: (u32, u32) = (720, 300);

/// One measure of the desk's figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Statutory visits on time.
    OnTime,
    /// Seen alone.
    SeenAlone,
    /// The child's own words recorded.
    ChildWords,
    /// Interpreter needs met.
    InterpreterMet,
}

impl Measure {
    /// Every measure, in the order the charts and tables show them.
    pub const ALL: [Measure; 4] =
        [Measure::OnTime, Measure::SeenAlone, Measure::ChildWords, Measure::InterpreterMet];

    /// Plain words for the measure.
    pub fn label(self) -> &'static str {
        match self {
            Measure::OnTime => "Visits on time",
            Measure::SeenAlone => "Seen alone",
            Measure::ChildWords => "Child's words recorded",
            Measure::InterpreterMet => "Interpreter needs met",
        }
    }

    /// The percentage for a month, if there was anything to count.
    pub fn percent(self, month: &MonthFigures) -> Option<u32> {
        match self {
            Measure::OnTime => month.on_time_percent(),
            Measure::SeenAlone => month.seen_alone_percent(),
            Measure::ChildWords => month.child_words_percent(),
            Measure::InterpreterMet => month.interpreter_met_percent(),
        }
    }

    /// "3 of 4" for a month: the count behind the percentage.
    pub fn count(self, month: &MonthFigures) -> (u32, u32) {
        match self {
            Measure::OnTime => (month.statutory_on_time, month.statutory_due),
            Measure::SeenAlone => (month.seen_alone, month.child_seen),
            Measure::ChildWords => (month.child_words, month.child_seen),
            Measure::InterpreterMet => (month.interpreter_met, month.interpreter_needed),
        }
    }

    fn colour(self) -> RGBColor {
        // Dark enough to read on white; told apart by shape and dash too.
        match self {
            Measure::OnTime => RGBColor(0, 94, 165),
            Measure::SeenAlone => RGBColor(170, 60, 0),
            Measure::ChildWords => RGBColor(0, 112, 60),
            Measure::InterpreterMet => RGBColor(110, 40, 140),
        }
    }
}

/// "Nov 2026", for a month's first day.
pub fn month_label(month: NaiveDate) -> String {
    month.format("%b %Y").to_string()
}

/// The most months labelled under the x axis: beyond it, every other month is, as twelve
/// labels fill the chart's width.
const MOST_X_LABELS: usize = 12;

/// How many labels the x axis of `months` months gets.
fn x_labels(months: usize) -> usize {
    if months > MOST_X_LABELS { months.div_ceil(2) } else { months }
}

/// The short month under the x axis at `x`, the index of one of `items`; empty between them.
/// Over more than twelve months a month's name comes twice, so each label gives its year.
fn label_at<T>(items: &[T], x: f64, month: impl Fn(&T) -> NaiveDate) -> String {
    let index = x.round() as i64;
    let format = if items.len() > MOST_X_LABELS { "%b %y" } else { "%b" };
    usize::try_from(index)
        .ok()
        .and_then(|i| items.get(i))
        .map(|m| month(m).format(format).to_string())
        .unwrap_or_default()
}

/// The four measures by month, as a line chart of percentages, with its text alternative.
pub fn measures_chart(title: &str, months: &[MonthFigures]) -> (String, String) {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let _ = draw_measures(&root, title, months);
        let _ = root.present();
    }
    (svg, measures_alternative(title, months))
}

fn draw_measures(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    title: &str,
    months: &[MonthFigures],
) -> Result<(), Box<dyn std::error::Error>> {
    root.fill(&WHITE)?;
    let count = i32::try_from(months.len()).unwrap_or(i32::MAX).max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(44)
        .build_cartesian_2d(-0.5f64..(f64::from(count) - 0.5), 0f64..100f64)?;
    chart
        .configure_mesh()
        .x_labels(x_labels(months.len()))
        .x_label_formatter(&|x| label_at(months, *x, |m| m.month))
        .y_labels(6)
        .y_label_formatter(&|y| format!("{y:.0}%"))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (index, measure) in Measure::ALL.into_iter().enumerate() {
        let colour = measure.colour();
        let points: Vec<(f64, f64)> = months
            .iter()
            .enumerate()
            .filter_map(|(i, m)| Some((i as f64, f64::from(measure.percent(m)?))))
            .collect();
        // A month with nothing to count leaves a gap rather than a line through it.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut runs = Vec::new();
        for point in &points {
            if run.last().is_some_and(|last: &(f64, f64)| point.0 - last.0 > 1.0) {
                runs.push(std::mem::take(&mut run));
            }
            run.push(*point);
        }
        runs.push(run);
        for run in runs {
            chart.draw_series(LineSeries::new(run, colour.stroke_width(2)))?;
        }
        let style = colour.filled();
        let drawn = match index {
            0 => chart.draw_series(points.iter().map(|p| Circle::new(*p, 4, style).into_dyn()))?,
            1 => chart.draw_series(points.iter().map(|p| TriangleMarker::new(*p, 6, style).into_dyn()))?,
            2 => chart
                .draw_series(points.iter().map(|p| Cross::new(*p, 5, colour.stroke_width(2)).into_dyn()))?,
            _ => chart.draw_series(points.iter().map(|&(x, y)| {
                Rectangle::new([(x - 0.08, y - 2.5), (x + 0.08, y + 2.5)], style).into_dyn()
            }))?,
        };
        drawn
            .label(measure.label())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// What the measures chart shows, in words: the latest month's figures and the range.
pub fn measures_alternative(title: &str, months: &[MonthFigures]) -> String {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return format!("{title}: no figures yet.");
    };
    let latest: Vec<String> = Measure::ALL
        .iter()
        .map(|m| match m.percent(last) {
            Some(p) => format!("{} {p}%", m.label().to_lowercase()),
            None => format!("{} not counted (none)", m.label().to_lowercase()),
        })
        .collect();
    format!(
        "{title}, line chart of percentages by month from {} to {}. In {}: {}. The table below gives every month.",
        month_label(first.month),
        month_label(last.month),
        month_label(last.month),
        latest.join(", ")
    )
}

/// Escalations raised and resolved by month, as a bar chart, with its text alternative.
pub fn escalations_chart(months: &[EscalationMonth]) -> (String, String) {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let _ = draw_escalations(&root, months);
        let _ = root.present();
    }
    (svg, escalations_alternative(months))
}

fn draw_escalations(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    months: &[EscalationMonth],
) -> Result<(), Box<dyn std::error::Error>> {
    root.fill(&WHITE)?;
    let count = i32::try_from(months.len()).unwrap_or(i32::MAX).max(1);
    let top = months.iter().map(|m| m.raised.max(m.resolved)).max().unwrap_or(0).max(4);
    let mut chart = ChartBuilder::on(root)
        .caption("Escalations raised and resolved", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(44)
        .build_cartesian_2d(-0.5f64..(f64::from(count) - 0.5), 0f64..f64::from(top + 1))?;
    chart
        .configure_mesh()
        .x_labels(x_labels(months.len()))
        .x_label_formatter(&|x| label_at(months, *x, |m| m.month))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    let raised = RGBColor(0, 94, 165);
    let resolved = RGBColor(0, 112, 60);
    chart
        .draw_series(months.iter().enumerate().map(|(i, m)| {
            let x = i as f64;
            Rectangle::new([(x - 0.38, 0.0), (x - 0.02, f64::from(m.raised))], raised.filled())
        }))?
        .label("Raised (solid)")
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], raised.filled()));
    chart
        .draw_series(months.iter().enumerate().map(|(i, m)| {
            let x = i as f64;
            Rectangle::new([(x + 0.02, 0.0), (x + 0.38, f64::from(m.resolved))], resolved.stroke_width(2))
        }))?
        .label("Resolved (outlined)")
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], resolved.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// What the escalations chart shows, in words.
pub fn escalations_alternative(months: &[EscalationMonth]) -> String {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return "Escalations: no figures yet.".to_owned();
    };
    let raised: u32 = months.iter().map(|m| m.raised).sum();
    let resolved: u32 = months.iter().map(|m| m.resolved).sum();
    let wait = match last.mean_days_to_first_action {
        Some(days) => format!("a manager first acted after {} on average", count(days, "day", "days")),
        None => "none raised then has been acted on yet".to_owned(),
    };
    format!(
        "Escalations raised and resolved, bar chart by month from {} to {}: {raised} raised and {resolved} resolved in all. In {}, {} raised, {} resolved, and {wait}. The table below gives every month with the time to first action.",
        month_label(first.month),
        month_label(last.month),
        month_label(last.month),
        last.raised,
        last.resolved
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(m: u32, due: u32, on_time: u32) -> MonthFigures {
        MonthFigures {
            month: NaiveDate::from_ymd_opt(2026, m, 1).unwrap(),
            statutory_due: due,
            statutory_on_time: on_time,
            child_seen: 4,
            seen_alone: 3,
            child_words: 2,
            ..MonthFigures::default()
        }
    }

    #[test]
    fn the_chart_is_svg_with_its_months_and_measures_and_its_words_give_the_latest_figures() {
        let months = [month(10, 4, 2), month(11, 4, 3)];
        let (svg, words) = measures_chart("The team", &months);
        assert!(svg.starts_with("<svg"), "{}", &svg[..60.min(svg.len())]);
        for text in ["Oct", "Nov", "Visits on time", "Interpreter needs met"] {
            assert!(svg.contains(text), "the chart shows {text}");
        }
        assert!(
            words.contains("In Nov 2026: visits on time 75%, seen alone 75%, child's words recorded 50%"),
            "{words}"
        );
        assert!(words.contains("interpreter needs met not counted (none)"), "{words}");
    }

    #[test]
    fn over_two_years_every_other_month_is_labelled_with_its_year_and_a_year_names_months_alone() {
        let two_years: Vec<MonthFigures> = (0..24)
            .map(|i| MonthFigures {
                month: NaiveDate::from_ymd_opt(2024, 12, 1).unwrap() + chrono::Months::new(i),
                ..MonthFigures::default()
            })
            .collect();
        assert_eq!(month_label(two_years[0].month), "Dec 2024");
        assert_eq!(month_label(two_years[23].month), "Nov 2026");
        let (svg, _) = measures_chart("The team", &two_years);
        let labels = |svg: &str| {
            svg.match_indices('>')
                .filter_map(|(at, _)| svg[at + 1..].split('<').next().map(str::trim))
                .filter(|text| {
                    text.len() >= 3
                        && [
                            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                            "Dec",
                        ]
                        .contains(&&text[..3])
                })
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        // Twelve labels, two months apart, each with its year: "Jan" alone could be either.
        assert_eq!(
            labels(&svg),
            [
                "Dec 24", "Feb 25", "Apr 25", "Jun 25", "Aug 25", "Oct 25", "Dec 25", "Feb 26", "Apr 26",
                "Jun 26", "Aug 26", "Oct 26"
            ]
        );
        let (escalations, _) = escalations_chart(
            &two_years
                .iter()
                .map(|m| EscalationMonth {
                    month: m.month,
                    raised: 1,
                    resolved: 0,
                    acted_on: 0,
                    mean_days_to_first_action: None,
                })
                .collect::<Vec<_>>(),
        );
        assert_eq!(labels(&escalations), labels(&svg));
        // Twelve months or fewer: every month, by its name alone.
        let (year, _) = measures_chart("The team", &two_years[12..]);
        assert_eq!(
            labels(&year),
            ["Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]
        );
        let (quarter, _) = measures_chart("The team", &two_years[21..]);
        assert_eq!(labels(&quarter), ["Sep", "Oct", "Nov"]);
    }

    #[rstest::rstest]
    #[case::one_day(Some(1.0), "a manager first acted after 1 day on average")]
    #[case::a_day_and_a_half(Some(1.5), "a manager first acted after 1.5 days on average")]
    #[case::three_days(Some(3.0), "a manager first acted after 3 days on average")]
    #[case::none_acted_on(None, "none raised then has been acted on yet")]
    fn the_escalations_words_give_the_wait_for_a_first_action_in_days(
        #[case] mean: Option<f64>,
        #[case] said: &str,
    ) {
        let november = EscalationMonth {
            month: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            raised: 2,
            resolved: 1,
            acted_on: u32::from(mean.is_some()),
            mean_days_to_first_action: mean,
        };
        let words = escalations_alternative(&[november]);
        assert!(words.contains(said), "{words}");
    }
}
