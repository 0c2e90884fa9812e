//! Every box the app's users type into, every closed list and every tick box: one component
//! each, so that no keystroke is ever lost and no choice is ever shown set back.
//!
//! Why it exists: Dioxus 0.7 declares `value` on `input` and `textarea` *volatile*, so it is
//! written to the page on every render of the component that holds the field, and the page
//! script then sets the field's text whenever it differs. Over the liveview websocket (and the
//! desktop webview's IPC) the app renders in answer to keystroke N while keystrokes N+1, N+2…
//! are already in the field, so a "controlled" field (`value: "{state}"`) is set back to older
//! text and those keystrokes vanish: at 30 ms between keys, 15 to 32 characters of 44 were lost,
//! and the damaged text was what the phone saved.
//!
//! So the page owns the text while the worker types. The field is given its text once, when it
//! appears (`initial_value`, the element's default value, which the browser never applies to a
//! field the user has typed in, and which is only written when it changes); every input event
//! carries the whole text, in order, to `oninput`, so the state (and the draft saved on the
//! phone) is exactly what is on screen. To put new text in a field from the app (a cleared
//! PIN after a wrong try), give it a new `key`, which makes a new field.
//!
//! A closed list has the same fault: an `option`'s `selected` is volatile too, so a render in
//! answer to the last keystroke in another field, arriving after the worker has pressed the
//! down arrow in a list, showed the old choice again until the next render (in CI, a list just
//! chosen read back empty). [`Choice`] gives each option its starting selection once
//! (`initial_selected`, the option's default, which the browser ignores once the worker has
//! chosen), so the page owns the choice as it owns typed text. A tick box's `checked` is
//! volatile too, and [`Tick`] does the same with `initial_checked`.

use std::cell::RefCell;
use std::rc::Rc;

use dioxus::prelude::*;

/// A one-line text box (any `type` that holds typed text: text, password, url, date…).
///
/// `value` is the text it starts with; later changes to it are ignored (see the module docs).
/// Every other attribute (`id`, `type`, `aria-invalid`, `autocomplete`, `disabled`…) is passed
/// on to the `input` element.
#[component]
pub fn TextInput(
    value: String,
    oninput: EventHandler<String>,
    /// Called for every key pressed in the box (for example Enter to add a quote).
    onkeydown: Option<EventHandler<KeyboardEvent>>,
    #[props(extends = GlobalAttributes, extends = input)] attributes: Vec<Attribute>,
) -> Element {
    // The text the field started with, kept so that a re-render never writes anything new.
    let initial = use_hook(|| value.clone());
    rsx! {
        input {
            initial_value: "{initial}",
            oninput: move |e| oninput.call(e.value()),
            onkeydown: move |e| if let Some(handler) = onkeydown { handler.call(e) },
            ..attributes,
        }
    }
}

/// A date box (`type="date"`, or `datetime-local` `with_time`) that reads the date it holds
/// back in words under it: "Monday 7 December 2026". The box draws its parts in the order of
/// the phone's language settings (a phone set to US English draws the month first), which its
/// label's [`DateOrderHint`] says; the words are what the worker checks: 07/12 is never
/// recorded meaning 12 July. The same rules as [`TextInput`] otherwise.
#[component]
pub fn DateInput(
    id: String,
    value: String,
    oninput: EventHandler<String>,
    #[props(default)] with_time: bool,
    #[props(default)] disabled: bool,
) -> Element {
    let mut held = use_signal(|| value.clone());
    let words = crate::app::model::date_in_words(&held.read(), with_time);
    let words_id = format!("{id}-words");
    rsx! {
        TextInput { id: "{id}", r#type: if with_time { "datetime-local" } else { "date" }, value, disabled,
            aria_describedby: "{words_id}",
            oninput: move |text: String| {
                held.set(text.clone());
                oninput.call(text);
            } }
        p { class: "hint date-words", id: "{words_id}", aria_live: "polite", "{words}" }
    }
}

/// The words in a date box's label saying the order to type the date in: the order this
/// phone draws its date boxes in ("Day, then month, then year." on a phone set to British
/// English, the month first on one set to US English). Put it in the box's `label`, so a
/// screen reader says it with the box's name.
#[component]
pub fn DateOrderHint(#[props(default)] with_time: bool) -> Element {
    let order = try_use_context::<crate::app::UiState>().map(|ui| *ui.date_order.read()).unwrap_or_default();
    rsx! { span { class: "hint date-order", {order.hint(with_time)} } }
}

/// A text box of several lines. The same rules as [`TextInput`].
#[component]
pub fn TextArea(
    value: String,
    oninput: EventHandler<String>,
    #[props(extends = GlobalAttributes, extends = textarea)] attributes: Vec<Attribute>,
) -> Element {
    let initial = use_hook(|| value.clone());
    rsx! {
        textarea {
            initial_value: "{initial}",
            oninput: move |e| oninput.call(e.value()),
            ..attributes,
        }
    }
}

/// A closed list (`select`): the same rules as [`TextInput`].
///
/// `options` are the choices in order, each as the value passed to `onchange` and the words
/// shown. `value` is the one chosen when the list appears; later changes to it are ignored.
/// Every other attribute (`id`, `class`, `disabled`, `aria-describedby`…) is passed on to the
/// `select`.
///
/// **A list that loads or reloads** (children arriving with the first sync) keeps its list box
/// while the choice the app holds is open both before and after: options come and go around
/// the worker's choice, and a choice made a moment before, whose event is still on its way to
/// the app, reaches it. (A new list box there dropped that event, since it was meant for a box
/// no longer on the page: the list showed "Choose a child" again.) Otherwise (the choice held
/// was not open before, as when a saved draft names a child who is still loading, or is no
/// longer open) it makes a new list box showing `value` as it is then, so it never shows a
/// choice no longer open.
#[component]
pub fn Choice(
    value: String,
    options: Vec<(String, String)>,
    onchange: EventHandler<String>,
    #[props(extends = GlobalAttributes, extends = select)] attributes: Vec<Attribute>,
) -> Element {
    let boxes = use_hook(|| Rc::new(RefCell::new(ListBoxes::default())));
    let generation = boxes.borrow_mut().for_options(&value, &options);
    rsx! {
        for generation in [generation] {
            ChoiceBox { key: "{generation}", value: value.clone(), options: options.clone(), onchange, attributes: attributes.clone() }
        }
    }
}

/// Which list box a [`Choice`] shows: a new one only when its options change around a choice
/// that was not open before them or is not open after.
#[derive(Default)]
struct ListBoxes {
    /// Counts the list boxes made; the key of the one shown.
    generation: u64,
    /// The choices offered at the last render.
    offered: Vec<String>,
}

impl ListBoxes {
    fn for_options(&mut self, value: &str, options: &[(String, String)]) -> u64 {
        let offered = || options.iter().map(|(choice, _)| choice.as_str());
        if !offered().eq(self.offered.iter().map(String::as_str)) {
            let open_before = self.offered.iter().any(|choice| choice == value);
            let open_now = offered().any(|choice| choice == value);
            if !(open_before && open_now) {
                self.generation += 1;
            }
            self.offered = offered().map(str::to_owned).collect();
        }
        self.generation
    }
}

/// [`Choice`] for one list box. Each option is given its starting selection once, as the box
/// appears; an option added later never is, so it cannot take the place of the worker's choice.
#[component]
fn ChoiceBox(
    value: String,
    options: Vec<(String, String)>,
    onchange: EventHandler<String>,
    attributes: Vec<Attribute>,
) -> Element {
    let initial = use_hook(|| value.clone());
    let first = use_hook(|| options.iter().map(|(choice, _)| choice.clone()).collect::<Vec<_>>());
    rsx! {
        select {
            onchange: move |e| onchange.call(e.value()),
            ..attributes,
            for (choice, words) in options {
                option {
                    key: "{choice}",
                    value: "{choice}",
                    initial_selected: choice == initial && first.contains(&choice),
                    "{words}"
                }
            }
        }
    }
}

/// A tick box (`input type=checkbox`): the same rules as [`TextInput`].
///
/// `checked` is its state when it appears; later changes to it are ignored. Every click calls
/// `onchange` with the state the worker now sees.
#[component]
pub fn Tick(
    checked: bool,
    onchange: EventHandler<bool>,
    #[props(extends = GlobalAttributes, extends = input)] attributes: Vec<Attribute>,
) -> Element {
    let initial = use_hook(|| checked);
    rsx! {
        input {
            r#type: "checkbox",
            initial_checked: initial,
            onchange: move |e| onchange.call(e.checked()),
            ..attributes,
        }
    }
}

/// The options of a fixed [`Choice`], from pairs of value and words.
pub fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(choice, words)| ((*choice).to_owned(), (*words).to_owned())).collect()
}

#[cfg(test)]
mod tests {
    use dioxus::dioxus_core::{Mutation, Mutations};
    use dioxus::prelude::*;

    use super::{Choice, Tick};

    /// What the app holds: the choice, and the options it offers.
    static HELD: GlobalSignal<(&'static str, Vec<&'static str>)> = Signal::global(|| ("", vec!["", "a"]));

    #[component]
    fn Held() -> Element {
        let (value, offered) = HELD.read().clone();
        rsx! {
            Choice {
                value,
                options: offered.iter().map(|o| (o.to_string(), format!("option {o}"))).collect::<Vec<_>>(),
                onchange: |_| {},
            }
        }
    }

    /// The value the page starts each option with, in order: which one it shows as chosen.
    fn chosen_by_default(dom: &VirtualDom) -> Vec<bool> {
        let html = dioxus_ssr::render(dom);
        html.split("<option").skip(1).map(|option| option.contains("selected=true")).collect()
    }

    fn hold(dom: &mut VirtualDom, value: &'static str, offered: Vec<&'static str>) {
        dom.in_runtime(|| *HELD.write() = (value, offered));
        dom.render_immediate(&mut dioxus::dioxus_core::NoOpMutations);
    }

    #[test]
    fn a_list_keeps_what_the_page_shows_until_its_options_change() {
        let mut dom = VirtualDom::new(Held);
        dom.rebuild_in_place();
        assert_eq!(chosen_by_default(&dom), [true, false], "starts on the value it was given");

        // A render answering an older event must not choose for the worker.
        hold(&mut dom, "a", vec!["", "a"]);
        assert_eq!(chosen_by_default(&dom), [true, false], "a later value is not written to the page");

        // A list that loads more options is a new list box, on the choice still open.
        hold(&mut dom, "b", vec!["", "a", "b"]);
        assert_eq!(chosen_by_default(&dom), [false, false, true], "new options start on the value held now");
    }

    /// What rendering `value` and `offered` did to the page.
    fn edits(dom: &mut VirtualDom, value: &'static str, offered: Vec<&'static str>) -> Vec<Mutation> {
        dom.in_runtime(|| *HELD.write() = (value, offered));
        let mut edits = Mutations::default();
        dom.render_immediate(&mut edits);
        edits.edits
    }

    /// Whether any edit took a node off the page (a list box or an option).
    fn removes_anything(edits: &[Mutation]) -> bool {
        edits.iter().any(|edit| matches!(edit, Mutation::ReplaceWith { .. } | Mutation::Remove { .. }))
    }

    /// The first sync brings a worker's children while the list of children is open. A choice
    /// made just then must reach the app: its event is for the list box it was made in, so that
    /// box stays on the page while the options grow around it.
    #[test]
    fn a_list_that_loads_around_the_choice_keeps_its_list_box() {
        let mut dom = VirtualDom::new(Held);
        dom.in_runtime(|| *HELD.write() = ("", vec![""]));
        dom.rebuild_in_place();

        let loaded = edits(&mut dom, "", vec!["", "a", "b"]);
        assert!(!removes_anything(&loaded), "the same list box, with options added: {loaded:?}");
        assert!(loaded.iter().any(|edit| matches!(edit, Mutation::InsertAfter { .. })), "{loaded:?}");
        assert_eq!(
            chosen_by_default(&dom),
            [true, false, false],
            "an option added later never takes the place of what the page shows"
        );

        // The worker chooses "a"; children are taken away and come back around it.
        edits(&mut dom, "a", vec!["", "a", "b"]);
        let fewer = edits(&mut dom, "a", vec!["", "a"]);
        assert!(!fewer.iter().any(|edit| matches!(edit, Mutation::ReplaceWith { .. })), "{fewer:?}");
        edits(&mut dom, "a", vec!["", "a", "b"]);
        assert_eq!(chosen_by_default(&dom), [true, false, false]);
    }

    /// A choice no longer open is never shown: the list box is made again, on what is open.
    #[test]
    fn a_list_that_loses_the_choice_held_starts_again() {
        let mut dom = VirtualDom::new(Held);
        dom.in_runtime(|| *HELD.write() = ("a", vec!["", "a", "b"]));
        dom.rebuild_in_place();
        assert_eq!(chosen_by_default(&dom), [false, true, false]);

        let gone = edits(&mut dom, "a", vec!["", "b"]);
        assert!(
            gone.iter().any(|edit| matches!(edit, Mutation::ReplaceWith { .. })),
            "a new list box: {gone:?}"
        );
        assert_eq!(chosen_by_default(&dom), [false, false], "nothing chosen, so the first option shows");

        // The choice made before "a" went, put back while the worker has chosen "b": the option
        // comes back unchosen, and "b" stays what the page shows.
        edits(&mut dom, "b", vec!["", "b"]);
        let back = edits(&mut dom, "b", vec!["", "a", "b"]);
        assert!(!removes_anything(&back), "{back:?}");
        assert_eq!(chosen_by_default(&dom), [false, false, false]);
    }

    static TICKED: GlobalSignal<bool> = Signal::global(|| false);

    #[component]
    fn Ticked() -> Element {
        rsx! { Tick { checked: TICKED(), onchange: |_| {} } }
    }

    #[test]
    fn a_tick_box_keeps_what_the_page_shows() {
        let mut dom = VirtualDom::new(Ticked);
        dom.rebuild_in_place();
        assert!(!dioxus_ssr::render(&dom).contains("checked=true"), "starts unticked, as given");
        dom.in_runtime(|| *TICKED.write() = true);
        dom.render_immediate(&mut dioxus::dioxus_core::NoOpMutations);
        assert!(
            !dioxus_ssr::render(&dom).contains("checked=true"),
            "a later state is not written to the page"
        );
    }
}
