//! Helpers for the render tests: invented children in a real encrypted store, the real app
//! rendered to HTML with dioxus-ssr, and the visit form rendered on its own.
#![allow(dead_code)]

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{Datelike, NaiveDate, Utc};
use dioxus::history::{History, MemoryHistory};
use dioxus::prelude::*;
use mobile::app::editor::DraftEditor;
use mobile::app::services::AppSettings;
use mobile::app::{App, Services};
use mobile::components::VisitForm;
use mobile::crypto::KdfParams;
use mobile::draft::VisitDraft;
use mobile::store::{LocalStore, SessionRecord};
use shared::child::{CarerLanguageNeed, CommunicationNeeds, LanguageNeed, PlanAction, ProtectionPlan};
use shared::schedule::{DueState, ScheduleRules, due_state, next_visit_due};
use shared::sync::{AuthoritySettings, ChangeEvent, Cursor, PullResponse, TokenResponse};
use shared::{
    Calendar, Carer, CarerId, Child, ChildId, CoverAssignment, HarmCategory, PlanActionId, Role, TeamId,
    Visit, Worker, WorkerCapacity, WorkerId,
};

pub const PIN: &str = "1234";
pub const WORKER: WorkerId = WorkerId(uuid::Uuid::from_u128(0x31));
pub const MOTHER: CarerId = CarerId(uuid::Uuid::from_u128(0x11));

/// The service's settings in these tests, as the test server "sends" them: Jersey's calendar
/// and time zone. On a day that is not a working day (a weekend or a bank holiday) the
/// service's clock is moved, as a training service's is, to noon on the next working day: a
/// child can be due today only on a working day, and the caseload shows one. On a working day
/// the clock is the real one.
pub fn authority_settings() -> AuthoritySettings {
    static SETTINGS: std::sync::LazyLock<AuthoritySettings> = std::sync::LazyLock::new(|| {
        let tz = shared::Tz::Europe__Jersey;
        let now = Utc::now();
        let calendar = Calendar::jersey();
        let today = shared::clock::authority_date(tz, now);
        let clock = if calendar.is_working_day(today) {
            shared::BusinessClock::live(tz)
        } else {
            let working = calendar.add_working_days(today, 0);
            let noon = shared::clock::start_of_day(tz, working) + chrono::Duration::hours(12);
            shared::BusinessClock::starting_at(tz, noon, now)
        };
        AuthoritySettings::new(shared::CalendarName::Jersey, &clock, ScheduleRules::default())
    });
    SETTINGS.clone()
}

/// Now on the service's clock, in Jersey's zone as the app keeps a visit's times: when a
/// visit starts or ends. Not in this machine's own zone: on a summer evening a machine on UTC
/// is still on yesterday when Jersey is already on today.
pub fn now() -> chrono::DateTime<chrono::FixedOffset> {
    let clock = authority_settings().clock();
    clock.local(clock.now())
}

/// Today, as the app sees it: the service's date.
pub fn today() -> NaiveDate {
    authority_settings().today_at(Utc::now())
}

/// An invented child on a plan (visits every 10 working days) since two years ago, with two
/// plan actions; `polish_mother` adds a mother who needs a Polish interpreter.
pub fn child(given: &str, family: &str, polish_mother: bool) -> Child {
    let today = today();
    Child {
        id: ChildId::new(),
        central_id: format!("TEST-{given}"),
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: Some(fixtures::ymd(today.year() - 8, 3, 1)),
        gender: None,
        carers: vec![Carer { id: MOTHER, name: format!("Ann {family}"), relationship: "mother".into() }],
        plan: Some(ProtectionPlan {
            harms: vec![HarmCategory::Neglect, HarmCategory::Emotional],
            key_worker: WORKER,
            team: TeamId(uuid::Uuid::from_u128(0x41)),
            actions: vec![
                PlanAction { id: PlanActionId::new(), description: "Attend school every day".into() },
                PlanAction { id: PlanActionId::new(), description: "Mother attends parenting group".into() },
            ],
            ..fixtures::plan(today - chrono::Duration::days(730))
        }),
        communication: CommunicationNeeds {
            child: LanguageNeed { first_language: Some("English".into()), ..Default::default() },
            carers: if polish_mother {
                vec![CarerLanguageNeed {
                    carer_id: MOTHER,
                    need: LanguageNeed {
                        first_language: Some("Polish".into()),
                        interpreter_needed: true,
                        interpreter_language: Some("Polish".into()),
                        interpreter_considered: true,
                    },
                }]
            } else {
                vec![]
            },
            disability_and_communication: None,
        },
        ..fixtures::child(0)
    }
}

/// The latest date a child could have been seen and now be in the due state `wanted`
/// ("overdue", "today", "soon" or "ok") with a 10-working-day plan.
pub fn last_seen_for(wanted: &str) -> NaiveDate {
    let calendar = Calendar::jersey();
    let rules = ScheduleRules::default();
    let today = today();
    let plan = child("X", "Y", false).plan.expect("a plan");
    (1..60)
        .map(|back| today - chrono::Duration::days(back))
        .find(|seen| {
            let due = next_visit_due(calendar, &plan, Some(*seen));
            let state = due_state(calendar, &rules, due, today);
            matches!(
                (wanted, state),
                ("overdue", DueState::Overdue { .. })
                    | ("today", DueState::DueToday { .. })
                    | ("soon", DueState::DueSoon { .. })
                    | ("ok", DueState::OnTrack { .. })
            )
        })
        .expect("some date gives that state")
}

/// A submitted statutory visit on `date` in which the child was seen alone and said `words`.
pub fn seen_visit(child: &Child, date: NaiveDate, words: &str) -> Visit {
    let start = fixtures::at_on(date, 10, 0);
    Visit {
        ended_at: start + chrono::Duration::minutes(40),
        child_words: fixtures::words(&[words]),
        recorded_at: Utc::now(),
        ..fixtures::visit(child.id, WORKER, start)
    }
}

/// A cover of `child` for the signed-in worker, ending `ends_on`.
pub fn cover(child: &Child, ends_on: NaiveDate) -> CoverAssignment {
    CoverAssignment {
        covering_for: WorkerId::new(),
        assigned_by: WorkerId::new(),
        ..fixtures::cover(child.id, WORKER, today() - chrono::Duration::days(2), ends_on)
    }
}

/// A stand-in server's routes whose first pull brings `child`, answered only after a second:
/// long enough for a screen to open before the child is on the phone.
pub fn pull_bringing_after_a_second(child: &Child) -> axum::Router {
    pull_after_a_second(vec![ChangeEvent::Child { child: Box::new(child.clone()) }]).0
}

/// A stand-in server's routes whose pulls bring `events`, each answered only after a second,
/// and whether a pull has been answered yet.
pub fn pull_after_a_second(events: Vec<ChangeEvent>) -> (axum::Router, Arc<AtomicBool>) {
    let page = PullResponse {
        protocol: 1,
        events,
        cursor: Cursor("after-the-events".into()),
        more: false,
        settings: None,
    };
    let pulled = Arc::new(AtomicBool::new(false));
    let answered = pulled.clone();
    let pull = move || {
        let (page, answered) = (page.clone(), answered.clone());
        async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            answered.store(true, Ordering::SeqCst);
            axum::Json(page)
        }
    };
    (axum::Router::new().route("/api/sync/pull", axum::routing::get(pull)), pulled)
}

/// Serves `app` on a free loopback port from a thread of its own for up to 20 s, as a stand-in
/// for the sync server; returns its address and the thread.
pub fn stub_server(app: axum::Router) -> (String, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.set_nonblocking(true).expect("non-blocking");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = tokio::time::timeout(Duration::from_secs(20), axum::serve(listener, app)).await;
        });
    });
    (address, server)
}

/// A stand-in server answering GET `path` with a file in versions, as the server tags its
/// reports and kept copies: version `n` is tagged `W/"vn"`, a request naming the current tag
/// gets 304 with nothing, and any other gets `body(n)` as `content_type`.
pub struct TaggedFile {
    /// The stand-in's address.
    pub address: String,
    /// The version served: set it to change the file.
    pub version: Arc<std::sync::atomic::AtomicU8>,
    /// The tag each request named (`If-None-Match`), in order.
    pub named: Arc<std::sync::Mutex<Vec<Option<String>>>>,
    _server: std::thread::JoinHandle<()>,
}

impl TaggedFile {
    pub fn serve(
        path: &str,
        content_type: &'static str,
        body: impl Fn(u8) -> Vec<u8> + Clone + Send + Sync + 'static,
    ) -> TaggedFile {
        use axum::http::{HeaderMap, StatusCode, header};
        use axum::response::IntoResponse;

        let version = Arc::new(std::sync::atomic::AtomicU8::new(1));
        let named: Arc<std::sync::Mutex<Vec<Option<String>>>> = Arc::default();
        let (serving, asked) = (version.clone(), named.clone());
        let answer = move |request: HeaderMap| {
            let (version, named, body) = (serving.clone(), asked.clone(), body.clone());
            async move {
                let held = request.get(header::IF_NONE_MATCH).map(|v| v.to_str().unwrap().to_owned());
                named.lock().unwrap().push(held.clone());
                let version = version.load(Ordering::SeqCst);
                let tag = format!("W/\"v{version}\"");
                if held.as_deref() == Some(tag.as_str()) {
                    return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
                }
                let headers = [(header::ETAG, tag), (header::CONTENT_TYPE, content_type.to_owned())];
                (StatusCode::OK, headers, body(version)).into_response()
            }
        };
        let (address, server) = stub_server(axum::Router::new().route(path, axum::routing::get(answer)));
        TaggedFile { address, version, named, _server: server }
    }

    /// The tag each request named so far.
    pub fn named(&self) -> Vec<Option<String>> {
        self.named.lock().unwrap().clone()
    }
}

/// The real app over a real encrypted store holding invented children, signed in (the server
/// address is a closed local port, so the phone is offline) and unlocked.
pub struct AppUnderTest {
    pub dir: tempfile::TempDir,
    pub services: Services,
    pub runtime: tokio::runtime::Runtime,
}

impl AppUnderTest {
    pub fn new(children: &[(Child, Vec<Visit>)], covers: &[CoverAssignment], drafts: &[VisitDraft]) -> Self {
        Self::prepared(children, covers, drafts, |_| {})
    }

    /// Like [`AppUnderTest::new`], with `prepare` run on the unlocked store before the app opens.
    pub fn prepared(
        children: &[(Child, Vec<Visit>)],
        covers: &[CoverAssignment],
        drafts: &[VisitDraft],
        prepare: impl FnOnce(&mobile::store::UnlockedStore),
    ) -> Self {
        Self::signed_in_as(Role::SocialWorker, children, covers, drafts, prepare)
    }

    /// A phone signed in as a worker with `role`.
    pub fn signed_in_as(
        role: Role,
        children: &[(Child, Vec<Visit>)],
        covers: &[CoverAssignment],
        drafts: &[VisitDraft],
        prepare: impl FnOnce(&mobile::store::UnlockedStore),
    ) -> Self {
        // Port 9 (discard) is closed here: every sync attempt fails at once, as offline.
        Self::signed_in_to("http://127.0.0.1:9", role, children, covers, drafts, prepare)
    }

    /// A phone signed in to the server at `server`.
    pub fn signed_in_to(
        server: &str,
        role: Role,
        children: &[(Child, Vec<Visit>)],
        covers: &[CoverAssignment],
        drafts: &[VisitDraft],
        prepare: impl FnOnce(&mobile::store::UnlockedStore),
    ) -> Self {
        Self::signed_in_to_then(server, role, children, covers, drafts, prepare, |_| {})
    }

    /// Like [`AppUnderTest::signed_in_to`], with `on_disk` given the store's directory after
    /// the seeding store has closed and before the app opens it: to change its files as
    /// something other than the app would.
    pub fn signed_in_to_then(
        server: &str,
        role: Role,
        children: &[(Child, Vec<Visit>)],
        covers: &[CoverAssignment],
        drafts: &[VisitDraft],
        prepare: impl FnOnce(&mobile::store::UnlockedStore),
        on_disk: impl FnOnce(&std::path::Path),
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let local = LocalStore::open(dir.path()).expect("open store");
            let store = local
                .set_pin_with(PIN, KdfParams { memory_kib: 1024, iterations: 1, parallelism: 1 })
                .expect("set PIN");
            let worker = Worker { name: "Sam Social".into(), team: None, ..fixtures::worker(0x31, role) };
            let tokens = TokenResponse {
                access_token: "not-a-real-token".into(),
                access_expires_at: Utc::now() + chrono::Duration::hours(1),
                refresh_token: "not-a-real-refresh-token".into(),
                worker,
                settings: Some(authority_settings()),
            };
            store
                .save_session(&SessionRecord::new(server, shared::DeviceId::new(), tokens))
                .expect("save session");
            let mut events: Vec<ChangeEvent> = Vec::new();
            for (child, visits) in children {
                events.push(ChangeEvent::Child { child: Box::new(child.clone()) });
                for visit in visits {
                    events.push(ChangeEvent::Visit { visit: Box::new(visit.clone()) });
                }
            }
            for cover in covers {
                events.push(ChangeEvent::Cover { cover: cover.clone() });
            }
            let page = PullResponse {
                protocol: 1,
                events,
                cursor: Cursor("test".into()),
                more: false,
                settings: None,
            };
            store.apply_pull(&page, Utc::now()).expect("apply pull");
            for draft in drafts {
                store.save_draft(draft).expect("save draft");
            }
            prepare(&store);
            store.flush().expect("flush");
        }
        on_disk(dir.path());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let services = {
            let _inside = runtime.enter();
            // The seeding store was just closed: the app's own open waits for sled to let go.
            Services::open(AppSettings {
                server: server.into(),
                data_dir: dir.path().to_path_buf(),
                idle_lock: Duration::from_secs(300),
            })
            .expect("open services")
        };
        Self { dir, services, runtime }
    }

    pub fn unlock(&self) {
        self.runtime.block_on(self.services.unlock(PIN.into())).expect("unlock");
    }

    /// Renders the whole app at `path` and waits (up to 5 s) until the HTML contains `until`.
    pub fn render(&self, path: &str, until: &str) -> String {
        self.render_all(path, &[until])
    }

    /// Renders `path` once and keeps it open while the screen changes: waits (up to 5 s each)
    /// for each of `stages` in turn, and returns the HTML as it was when each appeared.
    pub fn render_through(&self, path: &str, stages: &[&str]) -> Vec<String> {
        let mut seen = Vec::new();
        self.renders(path, &format!("{stages:?}"), 100 * stages.len(), |html| {
            while seen.len() < stages.len() && html.contains(stages[seen.len()]) {
                seen.push(html.to_owned());
            }
            seen.len() == stages.len()
        });
        seen
    }

    /// Every render of one screen at `path`, from its first until `last` appears (up to 10 s):
    /// for a test that what the worker reads never goes blank while the screen is read again.
    pub fn renders_until(&self, path: &str, last: &str) -> Vec<String> {
        self.renders(path, last, 200, |html| html.contains(last))
    }

    /// Every render of one screen at `path` from the first showing `first` until `last` appears
    /// (up to 10 s): for a test that what the worker reads stays on screen meanwhile.
    pub fn renders_from(&self, path: &str, first: &str, last: &str) -> Vec<String> {
        let mut renders = self.renders_until(path, last);
        let from = renders.iter().position(|html| html.contains(first));
        let from = from.unwrap_or_else(|| panic!("{first:?} first: {}", renders[renders.len() - 1]));
        renders.split_off(from)
    }

    /// Every render of one screen at `path` until `done` accepts one (up to 10 s); panics
    /// naming `awaited` if none is.
    pub fn renders_until_accepted(
        &self,
        path: &str,
        awaited: &str,
        done: impl FnMut(&str) -> bool,
    ) -> Vec<String> {
        self.renders(path, awaited, 200, done)
    }

    /// Every render of `path`, one screen kept open, until `words` have appeared and then gone.
    pub fn renders_until_gone(&self, path: &str, words: &str) -> Vec<String> {
        let mut shown = false;
        self.renders(path, &format!("{words} shown, then gone"), 200, |html| {
            shown |= html.contains(words);
            shown && !html.contains(words)
        })
    }

    /// Renders `path` until every one of `until` appears (parts of the screen fill in from
    /// different reads of the store, so one appearing says nothing about the others).
    pub fn render_all(&self, path: &str, until: &[&str]) -> String {
        let mut renders =
            self.renders(path, &format!("{until:?}"), 100, |html| until.iter().all(|u| html.contains(u)));
        renders.pop().expect("one render at least")
    }

    /// Renders `path` until `words` appear and sync has settled: the top bar knows what is
    /// waiting and no sync is under way. For a test that the screen does *not* say something,
    /// which a screen still checking, or mid-sync, never says either.
    pub fn render_settled(&self, path: &str, words: &str) -> String {
        let awaited = format!("{words:?} with sync settled");
        let mut renders = self.renders(path, &awaited, 100, |html| {
            html.contains(words)
                && html.contains("id=\"sync-badge\"")
                && !["Checking what is waiting", "Checking for", "sending…", "Syncing…"]
                    .iter()
                    .any(|busy| html.contains(busy))
        });
        renders.pop().expect("one render at least")
    }

    /// Every render of the whole app at `path`, one screen kept open, until `done` accepts one
    /// (at most `most` renders, each after up to 50 ms of the app's work); panics naming
    /// `awaited` if none is accepted.
    fn renders(
        &self,
        path: &str,
        awaited: &str,
        most: usize,
        mut done: impl FnMut(&str) -> bool,
    ) -> Vec<String> {
        self.runtime.block_on(async {
            let history: Rc<dyn History> = Rc::new(MemoryHistory::with_initial_path(path));
            let mut dom =
                VirtualDom::new(App).with_root_context(self.services.clone()).with_root_context(history);
            dom.rebuild_in_place();
            let mut seen = vec![dioxus_ssr::render(&dom)];
            while !done(&seen[seen.len() - 1]) {
                assert!(
                    seen.len() <= most,
                    "{awaited} never appeared at {path}; last render:\n{}",
                    seen[seen.len() - 1]
                );
                let _ = tokio::time::timeout(Duration::from_millis(50), dom.wait_for_work()).await;
                dom.render_immediate(&mut dioxus::dioxus_core::NoOpMutations);
                seen.push(dioxus_ssr::render(&dom));
            }
            seen
        })
    }
}

#[derive(Props, Clone, PartialEq)]
struct FormProps {
    draft: VisitDraft,
    child: Child,
    touched: Vec<String>,
    clock: shared::BusinessClock,
}

#[allow(non_snake_case)]
fn FormUnderTest(props: FormProps) -> Element {
    let draft = use_signal(|| Some(props.draft.clone()));
    let touched = use_signal(|| props.touched.clone());
    use_context_provider(|| DraftEditor {
        draft,
        touched,
        on_change: Callback::new(|_: VisitDraft| {}),
        clock: props.clock,
    });
    rsx! { VisitForm { child: props.child.clone() } }
}

/// The visit form alone, for `draft`, with the fields in `touched` already touched.
pub fn render_form(draft: &VisitDraft, child: &Child, touched: &[&str]) -> String {
    render_form_on(authority_settings().clock(), draft, child, touched)
}

/// [`render_form`] on a service whose clock is `clock`.
pub fn render_form_on(
    clock: shared::BusinessClock,
    draft: &VisitDraft,
    child: &Child,
    touched: &[&str],
) -> String {
    let mut dom = VirtualDom::new_with_props(
        FormUnderTest,
        FormProps {
            draft: draft.clone(),
            child: child.clone(),
            touched: touched.iter().map(|t| (*t).to_owned()).collect(),
            clock,
        },
    );
    dom.rebuild_in_place();
    dioxus_ssr::render(&dom)
}

/// A new draft for `child`, started now on the service's clock, as the app starts one.
pub fn new_draft(child: &Child) -> VisitDraft {
    VisitDraft::new_for(child, WORKER, WorkerCapacity::KeyWorker, now(), None, shared::CalendarName::Jersey)
}

/// A new draft for `child` that says the child was seen, but not alone: the form then asks why.
pub fn draft_seen_not_alone(child: &Child) -> VisitDraft {
    let mut draft = new_draft(child);
    draft.seen = Some(true);
    draft.seen_alone = Some(false);
    draft
}

/// Where `needle` first appears in `html` (panics if it does not).
pub fn position(html: &str, needle: &str) -> usize {
    html.find(needle).unwrap_or_else(|| panic!("{needle:?} not found in:\n{html}"))
}

/// A phone with no account yet (the sign-in screen).
pub fn signed_out() -> AppUnderTest {
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let services = {
        let _inside = runtime.enter();
        Services::open(AppSettings {
            server: "http://127.0.0.1:9".into(),
            data_dir: dir.path().to_path_buf(),
            idle_lock: Duration::from_secs(300),
        })
        .expect("open services")
    };
    AppUnderTest { dir, services, runtime }
}
