//! Photos for the visit being captured. Each is resized and stripped of EXIF and GPS on the
//! phone before it is stored; only the processed copy is kept.

use dioxus::prelude::*;
use shared::ChildId;

use super::PhotoCaption;
use crate::app::{Hosting, Services};
use crate::routes::Route;

/// The photos screen.
#[component]
pub fn Photos(id: ChildId) -> Element {
    let services = use_context::<Services>();
    let mut status = use_signal(|| None::<Result<String, String>>);
    let mut reload = use_signal(|| 0u32);
    let list_services = services.clone();
    let attachments = use_resource(move || {
        let services = list_services.clone();
        let _again = reload.read();
        async move { services.open_draft(id).await.map(|(draft, _)| draft.attachments) }
    })
    .suspend()?;
    let attachments = attachments.read().clone()?;
    let hosting = try_use_context::<Hosting>().unwrap_or_default();
    let pick = move |event: FormEvent| {
        let services = services.clone();
        spawn(async move {
            if hosting == Hosting::Liveview {
                status.set(Some(Ok("Processing the photo…".to_owned())));
                let answer = document::eval(&upload_script(id)).await;
                status.set(Some(match answer.as_ref().ok().and_then(|v| v.as_str()) {
                    Some("ok") => Ok("Photo saved on this phone, without location data.".to_owned()),
                    Some("none") => Ok(String::new()),
                    Some(problem) => Err(problem.trim_start_matches("error:").to_owned()),
                    None => Err("The photo could not be sent to the app.".to_owned()),
                }));
                reload += 1;
                return;
            }
            for file in event.files() {
                status.set(Some(Ok(format!("Processing {}…", file.name()))));
                let bytes = match file.read_bytes().await {
                    Ok(bytes) => bytes.to_vec(),
                    Err(e) => {
                        status.set(Some(Err(format!("Could not read the picture: {e}"))));
                        continue;
                    }
                };
                match services.add_photo(id, bytes).await {
                    Ok(_) => {
                        status.set(Some(Ok("Photo saved on this phone, without location data.".to_owned())))
                    }
                    Err(e) => status.set(Some(Err(e.to_string()))),
                }
            }
            reload += 1;
        });
    };
    rsx! {
        h2 { id: "screen-title", "Photos" }
        div { class: "card",
            label { r#for: "photo-file", "Add a photo"
                span { class: "hint", "Take one with the camera or pick a file. Location data is removed on this phone before it is kept." } }
            input { id: "photo-file", r#type: "file", accept: "image/jpeg,image/png,image/webp", capture: "environment", onchange: pick }
            match status.read().clone() {
                Some(Ok(words)) => rsx! { p { class: "saved", role: "status", "{words}" } },
                Some(Err(words)) => rsx! { p { class: "problem", role: "alert", "{words}" } },
                None => rsx! {},
            }
        }
        div { class: "card",
            h3 { "Photos on this visit ({attachments.len()})" }
            if attachments.is_empty() { p { class: "muted", "None yet." } }
            ul { class: "plain", style: "list-style:none;padding:0",
                for (i, attachment) in attachments.iter().enumerate() {
                    li { key: "{attachment.sha256}", "data-sha256": "{attachment.sha256}",
                        p { class: "muted", style: "margin:8px 0 0",
                            "Photo {i + 1} · {&attachment.sha256[..12.min(attachment.sha256.len())]}" }
                        PhotoCaption { child: id, sha256: attachment.sha256.clone(), caption: attachment.caption.clone(), number: i + 1 }
                    }
                }
            }
        }
        Link { class: "button primary wide", to: Route::VisitCapture { id }, id: "back-to-visit", "Back to the visit" }
    }
}

/// The page script that sends the picked file to the liveview host (see [`crate::liveview`]).
fn upload_script(child: ChildId) -> String {
    format!(
        r#"const input = document.getElementById('photo-file');
        const file = input && input.files && input.files[0];
        if (!file) {{ return 'none'; }}
        const answer = await fetch('/photos/{child}', {{ method: 'PUT', body: file }});
        const text = await answer.text();
        input.value = '';
        return answer.ok ? 'ok' : ('error:' + text);"#
    )
}
