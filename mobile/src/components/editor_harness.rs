//! For the tests of the visit form's parts: a component given a [`DraftEditor`] whose saves are
//! kept, built in a `VirtualDom`, with events fired at it as the page sends them.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use dioxus::dioxus_core::{ComponentFunction, ElementId, Mutation, NoOpMutations};
use dioxus::html::{
    PlatformEventData, SerializedFormData, SerializedHtmlEventConverter, SerializedMouseData,
};
use dioxus::prelude::*;
use shared::{BusinessClock, CalendarName, WorkerCapacity};

use crate::app::editor::DraftEditor;
use crate::draft::VisitDraft;

thread_local! {
    /// Every draft the part handed on for saving, in order (what the visit screen writes).
    static SAVED: RefCell<Vec<VisitDraft>> = const { RefCell::new(Vec::new()) };
}

/// Provides the editor over `draft` to the part under test, its saves kept ([`saved`]), and
/// returns the draft as it stands.
pub fn use_test_editor(draft: VisitDraft) -> Signal<Option<VisitDraft>> {
    let draft = use_signal(|| Some(draft));
    let touched = use_signal(Vec::new);
    use_context_provider(|| DraftEditor {
        draft,
        touched,
        on_change: Callback::new(|saved: VisitDraft| SAVED.with(|s| s.borrow_mut().push(saved))),
        clock: BusinessClock::live(shared::Tz::UTC),
    });
    draft
}

/// Every draft handed on for saving since the part was built.
pub fn saved() -> Vec<VisitDraft> {
    SAVED.with(|s| s.borrow().clone())
}

/// A new visit to the fixtures' child, at 10:00 on 7 December 2026.
pub fn draft() -> VisitDraft {
    VisitDraft::new_for(
        &fixtures::child(fixtures::CHILD),
        fixtures::fixed(fixtures::KEY_WORKER),
        WorkerCapacity::KeyWorker,
        fixtures::at("2026-12-07", 10),
        None,
        CalendarName::Jersey,
    )
}

/// A part built, with the elements listening for each kind of event.
pub struct Built {
    pub dom: VirtualDom,
    pub listeners: Vec<(String, ElementId)>,
}

/// Builds `root` over `props`, with no saves kept yet.
pub fn build<P: Clone + 'static, M: 'static>(root: impl ComponentFunction<P, M>, props: P) -> Built {
    set_event_converter(Box::new(SerializedHtmlEventConverter));
    SAVED.with(|s| s.borrow_mut().clear());
    let mut dom = VirtualDom::new_with_props(root, props);
    let listeners = dom
        .rebuild_to_vec()
        .edits
        .into_iter()
        .filter_map(|edit| match edit {
            Mutation::NewEventListener { name, id } => Some((name, id)),
            _ => None,
        })
        .collect();
    Built { dom, listeners }
}

impl Built {
    /// Every element listening for `name`, in the order drawn.
    pub fn all(&self, name: &str) -> Vec<ElementId> {
        self.listeners.iter().filter(|(n, _)| n == name).map(|(_, id)| *id).collect()
    }

    /// The one element listening for `name`.
    pub fn one(&self, name: &str) -> ElementId {
        let found = self.all(name);
        assert_eq!(found.len(), 1, "one {name} listener: {:?}", self.listeners);
        found[0]
    }

    fn fire(&mut self, name: &str, at: ElementId, data: Box<dyn Any>) {
        let event = Event::new(Rc::new(PlatformEventData::new(data)) as Rc<dyn Any>, true);
        self.dom.runtime().handle_event(name, event, at);
        self.dom.process_events();
        self.dom.render_immediate(&mut NoOpMutations);
    }

    /// A tap on `at`.
    pub fn click(&mut self, at: ElementId) {
        self.fire("click", at, Box::<SerializedMouseData>::default());
    }

    /// Types `text` into the box `at`, which sends its whole text with every keystroke, as the
    /// page does.
    pub fn type_text(&mut self, at: ElementId, text: &str) {
        for end in text.char_indices().map(|(i, c)| i + c.len_utf8()) {
            self.fire("input", at, Box::new(SerializedFormData::new(text[..end].to_owned(), Vec::new())));
        }
    }

    /// What the part shows now.
    pub fn html(&self) -> String {
        dioxus_ssr::render(&self.dom)
    }
}
