//! The liveview host: the app's real components, served to a browser over a websocket, for a
//! machine without a display and for the browser tests.
//!
//! dioxus-liveview 0.7.10's `with_app` router helper builds paths without a leading `/` (404 on
//! `/` with axum 0.8), so the index, the websocket and the stylesheet routes are registered
//! here by hand.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, put};
use dioxus::history::History;
use dioxus::prelude::*;
use dioxus_liveview::{LiveViewPool, axum_socket, interpreter_glue};

use crate::app::services::UiError;
use crate::app::{App, Hosting, STYLE, STYLESHEET, Services};

/// The websocket path.
const WS_PATH: &str = "/ws";

/// The largest picture the page may upload (a phone camera's JPEG is well under this).
const MAX_PHOTO_BYTES: usize = 32 * 1024 * 1024;

/// Every form on the page is the app's to handle, which it does over the websocket. A native
/// window can tell the page at once not to send a form itself; over liveview the app answers too
/// late, and the browser sent the form to the page's own address: where that ended in `#`
/// nothing happened, but elsewhere (after any tap) it reloaded the page and started the tab
/// again, cancelling what the form had begun (a sign-in, an unlock). So the page never sends a
/// form itself.
const FORMS_STAY: &str = "document.addEventListener('submit', (event) => event.preventDefault(), true);";

fn index_page() -> Html<String> {
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Seen &amp; Heard</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body><div id="main"></div>{glue}
<script>{FORMS_STAY}</script></body>
</html>"#,
        glue = interpreter_glue(WS_PATH)
    ))
}

/// A picture picked in the browser, for the open visit to `child`. dioxus-liveview 0.7.10's
/// page script sends picked files in a shape dioxus-html 0.7 no longer reads, so the photo
/// screen uploads the file here instead, and the same on-device processing runs on it.
async fn upload_photo(
    State(services): State<Services>,
    Path(child): Path<String>,
    body: Bytes,
) -> impl IntoResponse {
    let Ok(child) = child.parse::<shared::ChildId>() else {
        return (StatusCode::BAD_REQUEST, "That is not a child on this phone.".to_owned());
    };
    match services.add_photo(child, body.to_vec()).await {
        Ok(attachment) => (StatusCode::OK, attachment.sha256),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
    }
}

async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLESHEET)
}

/// The host's routes: the page at `/` (and at any app address, so a reload keeps the screen),
/// the websocket that runs one copy of the app per tab, the stylesheet, and photo uploads.
pub fn router(services: Services) -> Router {
    let pool = LiveViewPool::new();
    let photos = Router::new()
        .route("/photos/{child}", put(upload_photo))
        .layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES))
        .with_state(services.clone());
    let socket = get(move |ws: WebSocketUpgrade| {
        let pool = pool.clone();
        let services = services.clone();
        async move {
            ws.on_upgrade(move |socket| async move {
                let launched = pool
                    .launch_virtualdom(axum_socket(socket), move || {
                        VirtualDom::new(App).with_root_context(services).with_root_context(Hosting::Liveview)
                    })
                    .await;
                if let Err(e) = launched {
                    tracing::debug!(error = ?e, "liveview session ended");
                }
            })
        }
    });
    let mut router =
        Router::new().route(WS_PATH, socket).route("/assets/app.css", get(stylesheet)).merge(photos);
    // Outside a `dx` bundle the asset system names the stylesheet by its path in the source
    // tree; serve it there too so `document::Stylesheet` finds it.
    let bundled = STYLE.to_string();
    if bundled.starts_with('/') && bundled != "/assets/app.css" {
        router = router.route(&bundled, get(stylesheet));
    }
    router.route("/", get(|| async { index_page() })).fallback(get(|| async { index_page() }))
}

/// Serves the app on `addr` until the process ends, printing the address it listens on.
pub async fn serve(addr: SocketAddr, services: Services) -> Result<(), UiError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| UiError(format!("cannot listen on {addr}: {e}")))?;
    let bound = listener.local_addr().map_err(|e| UiError(e.to_string()))?;
    println!("Seen & Heard is serving the app at http://{bound}/");
    axum::serve(listener, router(services)).await.map_err(|e| UiError(e.to_string()))
}

/// Over liveview, wraps the host's history (see [`SettledHistory`]) for the screens below, and
/// answers whether they may be drawn yet: not until the history has read the page's address.
/// Elsewhere (`over_liveview` false) it does nothing and answers yes at once.
///
/// A new tab's history starts at `/` and asks the page for its address, history depth and
/// saved session. When the answer comes, it overwrites the entry it then stands on and has the
/// router draw it. Drawn before that, the screens showed My children for a moment in every tab
/// opened at another address (a reload on a child's page), and a tap made in that moment (seen
/// in the browser tests: Desk tapped as a signed-in tab's first sync said "All sent", about one
/// tab in fifty) was taken, then overwritten by the page's address: the browser went back to
/// `/?#`, the screen to My children, and the tap was lost. Until the page has answered nothing
/// is drawn, so there is nothing to tap, and the first screen drawn is the one at the page's
/// address.
pub(crate) fn use_settled_history(over_liveview: bool) -> Signal<bool> {
    let mut answered = use_signal(|| !over_liveview);
    use_hook(|| {
        if !over_liveview {
            return;
        }
        let inner = dioxus::history::history();
        provide_context(SettledHistory::around(inner.clone()));
        spawn(async move {
            let deadline = tokio::time::Instant::now() + READ_WITHIN;
            while inner.current_route() == BEFORE_THE_PAGE_ANSWERS && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            answered.set(true);
        });
    });
    answered
}

/// The liveview host's history, wrapped so that the router always draws the address it was
/// sent to.
///
/// dioxus-liveview 0.7.10's history takes a new address in a task of its own, after the router
/// has already been told to draw it. Usually that task runs first. When it does not (seen
/// after a burst of keys then a tap on "Review and submit", about one tap in a hundred on a
/// busy machine), the router draws the old address again and nothing tells it to draw once
/// more: the browser's address moves on, the screen stays, and the tap seems lost. This wrapper
/// tells the router again once the history names the new address.
pub(crate) struct SettledHistory {
    inner: Rc<dyn History>,
    /// The router's "draw again", as it gave it to the history.
    redraw: Rc<RefCell<Option<Redraw>>>,
}

/// The callback a router gives its history, to be called when the address moves.
type Redraw = Arc<dyn Fn() + Send + Sync>;

/// How long to wait for the history to take an address before telling the router anyway.
const SETTLE_WITHIN: Duration = Duration::from_secs(2);

/// The address dioxus-liveview 0.7.10's history names until it has read the page's. The page's
/// always comes with its query and fragment (`/?#` for the first screen), so it is never this.
const BEFORE_THE_PAGE_ANSWERS: &str = "/";

/// How long to wait for the page's address before drawing anyway. The page answers within a
/// moment of the tab opening; should it never answer (or a later dioxus-liveview start
/// elsewhere), the screens wait no longer than this.
const READ_WITHIN: Duration = Duration::from_secs(5);

impl SettledHistory {
    /// Wraps `inner`, the history the host provided.
    pub(crate) fn around(inner: Rc<dyn History>) -> Rc<dyn History> {
        Rc::new(SettledHistory { inner, redraw: Rc::default() })
    }

    /// Once the history names `route` (or a moment has passed, should another move have
    /// followed at once), tells the router to draw again.
    fn redraw_at(&self, route: String) {
        let (inner, redraw) = (self.inner.clone(), self.redraw.clone());
        dioxus::dioxus_core::spawn_forever(async move {
            let deadline = tokio::time::Instant::now() + SETTLE_WITHIN;
            while inner.current_route() != route && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let redraw = redraw.borrow().clone();
            if let Some(redraw) = redraw {
                redraw();
            }
        });
    }
}

impl History for SettledHistory {
    fn current_route(&self) -> String {
        self.inner.current_route()
    }

    fn current_prefix(&self) -> Option<String> {
        self.inner.current_prefix()
    }

    fn can_go_back(&self) -> bool {
        self.inner.can_go_back()
    }

    /// Going back or forward reaches the router through the browser's own event, which tells
    /// the router itself once the history has moved.
    fn go_back(&self) {
        self.inner.go_back();
    }

    fn can_go_forward(&self) -> bool {
        self.inner.can_go_forward()
    }

    fn go_forward(&self) {
        self.inner.go_forward();
    }

    fn push(&self, route: String) {
        self.inner.push(route.clone());
        self.redraw_at(route);
    }

    fn replace(&self, route: String) {
        self.inner.replace(route.clone());
        self.redraw_at(route);
    }

    fn external(&self, url: String) -> bool {
        self.inner.external(url)
    }

    fn updater(&self, callback: Redraw) {
        *self.redraw.borrow_mut() = Some(callback.clone());
        self.inner.updater(callback);
    }

    fn include_prevent_default(&self) -> bool {
        self.inner.include_prevent_default()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;

    use dioxus::history::History;
    use dioxus::prelude::*;

    use super::use_settled_history;

    /// A history like dioxus-liveview 0.7.10's: it takes each new address in a task of its own,
    /// 20 ms later, so the router is told to draw before the address has moved. Over
    /// `Race::PageNotYetRead` it also starts at `/`, as in a new tab, and the page's address
    /// (`/?#`) comes 50 ms later, overwrites whatever it then names, and has the router draw.
    struct LiveviewLike {
        at: Rc<RefCell<String>>,
        moves: tokio::sync::mpsc::UnboundedSender<String>,
        redraw: Rc<RefCell<Option<super::Redraw>>>,
    }

    impl LiveviewLike {
        fn new(race: Race, at: Rc<RefCell<String>>) -> Self {
            let (moves, mut next) = tokio::sync::mpsc::unbounded_channel::<String>();
            let moving = at.clone();
            dioxus::dioxus_core::spawn_forever(async move {
                while let Some(route) = next.recv().await {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    *moving.borrow_mut() = route;
                }
            });
            let redraw: Rc<RefCell<Option<super::Redraw>>> = Rc::default();
            if race == Race::PageNotYetRead {
                let (answered, told) = (at.clone(), redraw.clone());
                dioxus::dioxus_core::spawn_forever(async move {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    *answered.borrow_mut() = "/?#".to_owned();
                    let told = told.borrow().clone();
                    if let Some(redraw) = told {
                        redraw();
                    }
                });
            }
            LiveviewLike { at, moves, redraw }
        }
    }

    impl History for LiveviewLike {
        fn current_route(&self) -> String {
            self.at.borrow().clone()
        }
        fn go_back(&self) {}
        fn go_forward(&self) {}
        fn push(&self, route: String) {
            let _ = self.moves.send(route);
        }
        fn replace(&self, route: String) {
            let _ = self.moves.send(route);
        }
        fn updater(&self, callback: super::Redraw) {
            *self.redraw.borrow_mut() = Some(callback);
        }
    }

    #[derive(Routable, Clone, PartialEq, Debug)]
    enum Screens {
        #[route("/")]
        Form {},
        #[route("/review")]
        Review {},
    }

    /// Whether the worker has tapped on to the review yet: they tap once.
    #[derive(Clone, Default)]
    struct Tapped(Rc<std::cell::Cell<bool>>);

    /// Sends the worker on to the review as soon as it is first drawn, as one tap would.
    #[component]
    fn Form() -> Element {
        let tapped = use_context::<Tapped>();
        use_effect(move || {
            if !tapped.0.replace(true) {
                navigator().push(Screens::Review {});
            }
        });
        rsx! { p { "The form" } }
    }

    #[component]
    fn Review() -> Element {
        rsx! { p { "The review" } }
    }

    /// Which race a test runs into.
    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Race {
        /// The history takes a new address late, having long since read the page's.
        LateAddress,
        /// The page has not yet told the history its address.
        PageNotYetRead,
    }

    /// The router over the history for `race`, whose address is `at`, as the app draws it
    /// (`settled`: wrapped, and drawn once the page has answered) or drawn straight over it.
    #[component]
    fn Host(race: Race, settled: bool, at: Rc<RefCell<String>>) -> Element {
        use_hook(|| {
            let host: Rc<dyn History> = Rc::new(LiveviewLike::new(race, at.clone()));
            provide_context(host);
            provide_context(Tapped::default());
        });
        let drawn = use_settled_history(settled);
        rsx! {
            if drawn() {
                Router::<Screens> {}
            }
        }
    }

    /// What the host shows 30 ms after it was first drawn (before the page's address comes,
    /// over `Race::PageNotYetRead`), and a second after, once the form has sent the worker on
    /// to the review; and the address its history names then.
    async fn after_a_tap(race: Race, settled: bool) -> (String, String, String) {
        let start = match race {
            Race::LateAddress => "/?#",
            Race::PageNotYetRead => "/",
        };
        let at = Rc::new(RefCell::new(start.to_owned()));
        let mut dom = VirtualDom::new_with_props(Host, HostProps { race, settled, at: at.clone() });
        dom.rebuild_in_place();
        let started = tokio::time::Instant::now();
        let mut early = None;
        while started.elapsed() < Duration::from_secs(1) {
            let _ = tokio::time::timeout(Duration::from_millis(10), dom.wait_for_work()).await;
            dom.render_immediate(&mut dioxus::dioxus_core::NoOpMutations);
            if early.is_none() && started.elapsed() >= Duration::from_millis(30) {
                early = Some(dioxus_ssr::render(&dom));
            }
        }
        let address = at.borrow().clone();
        (early.unwrap_or_default(), dioxus_ssr::render(&dom), address)
    }

    /// The history moves to the review late. Left alone, the router draws the form again and
    /// stays there (the tap seems lost); wrapped, it draws the review.
    #[tokio::test]
    async fn the_screen_follows_an_address_the_history_takes_late() {
        let (_, screen, address) = after_a_tap(Race::LateAddress, false).await;
        assert_eq!(address, "/review", "the history took the new address");
        assert!(screen.contains("The form") && !screen.contains("The review"), "unwrapped: {screen}");

        let (_, screen, address) = after_a_tap(Race::LateAddress, true).await;
        assert_eq!(address, "/review");
        assert!(screen.contains("The review") && !screen.contains("The form"), "wrapped: {screen}");
    }

    /// In a new tab, the worker moves on from the first screen drawn. Drawn before the page has
    /// told the history its address, the form shows at once, and the page's answer overwrites
    /// the move: the address goes back to `/?#` and the screen to the form (the tap is lost).
    /// As the app draws it, nothing shows until the page has answered, and the move is kept.
    #[tokio::test]
    async fn nothing_is_drawn_until_the_page_has_said_where_it_is_so_no_move_is_overwritten() {
        let (early, screen, address) = after_a_tap(Race::PageNotYetRead, false).await;
        assert!(early.contains("The form"), "drawn at once: {early}");
        assert_eq!(address, "/?#", "the page's answer overwrote the move");
        assert!(screen.contains("The form") && !screen.contains("The review"), "drawn at once: {screen}");

        let (early, screen, address) = after_a_tap(Race::PageNotYetRead, true).await;
        assert!(!early.contains("The form") && !early.contains("The review"), "before the answer: {early}");
        assert_eq!(address, "/review", "the move was made after the page had answered");
        assert!(
            screen.contains("The review") && !screen.contains("The form"),
            "as the app draws it: {screen}"
        );
    }
}
