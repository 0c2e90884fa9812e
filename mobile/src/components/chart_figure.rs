//! A chart with what it shows in words and the table of figures behind it, so that a chart is
//! never the only way to read the figures.

use dioxus::prelude::*;

/// One chart: the SVG drawn by [`crate::charts`], a short name for assistive technology, the
/// text alternative as a caption, and the data table (given as children) under a disclosure.
#[component]
pub fn ChartFigure(id: String, name: String, svg: String, alternative: String, children: Element) -> Element {
    rsx! {
        figure { class: "chart card", id: "{id}",
            // The picture is one image to assistive technology; its caption says what it shows.
            div { class: "chart-image", role: "img", "aria-label": "{name}", dangerous_inner_html: "{svg}" }
            figcaption { class: "chart-words", "{alternative}" }
            details { class: "chart-table",
                summary { "The figures behind this chart" }
                div { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "{name}: the figures",
                    {children}
                }
            }
        }
    }
}
