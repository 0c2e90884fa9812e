//! The push body's dictionary compression (`shared::dcz`) on visits as the app sends them.
#![cfg(feature = "dcz")]

use std::io::Read;

use shared::dcz::{self, DICTIONARY};
use shared::sync::{PROTOCOL_VERSION, PushRequest};
use shared::{
    ChildId, DeviceId, DueState, HarmCategory, InterpretedPerson, InterpreterRecord, InterpreterUsed,
    Observations, Visit, WorkerId,
};

/// A lone push of a visit as the app sends it: a summer afternoon in Jersey (UTC+1), with
/// the child's words, views, facts and concerns in ordinary prose (none of it in the
/// dictionary).
fn lone_visit() -> Visit {
    let started = chrono::DateTime::parse_from_rfc3339("2026-07-03T14:10:00+01:00").unwrap();
    let text = |n: usize| {
        [
            "She said school was fine but that she does not like the walk home when it is dark.",
            "He wants to see his dad more often and asked when the next contact would be.",
            "She seemed relaxed with her brother and showed me the game they had made up.",
            "Her bedroom was tidy and warm, with clean bedding and her drawings on the wall.",
            "Mum said money is tight since the boiler broke; she has not told the landlord.",
        ][n]
            .to_string()
    };
    Visit {
        due_state_at_start: Some(DueState::DueSoon {
            due: chrono::NaiveDate::from_ymd_opt(2026, 7, 6).unwrap(),
            working_days_left: 1,
        }),
        child_words: fixtures::words(&[&text(0), &text(1)]),
        child_views: text(2),
        observations: Observations { facts: text(3), concerns: text(4) },
        harms_addressed: vec![HarmCategory::Neglect],
        interpreters: vec![InterpreterRecord {
            person: InterpretedPerson::Child,
            needed: false,
            language: None,
            used: None,
            not_used_reason: None,
        }],
        ..fixtures::visit(ChildId::new(), WorkerId::new(), started)
    }
}

fn push(visits: Vec<Visit>) -> Vec<u8> {
    serde_json::to_vec(&PushRequest { protocol: PROTOCOL_VERSION, device_id: DeviceId::new(), visits })
        .unwrap()
}

fn lone_push() -> Vec<u8> {
    push(vec![lone_visit()])
}

/// Any Zstandard decoder reads the body, skipping the header as a skippable frame, given the
/// same dictionary: the format is RFC 9842's, not ours.
#[test]
fn a_standard_decoder_with_the_dictionary_reads_it() {
    let body = lone_push();
    assert_eq!(standard_decoder(&dcz::encode(&body).unwrap()), body);
}

/// `body` read by the zstd library's own streaming decoder, given the dictionary.
fn standard_decoder(body: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    zstd::stream::read::Decoder::with_dictionary(body, DICTIONARY).unwrap().read_to_end(&mut plain).unwrap();
    plain
}

/// A full batch (past `SMALL_BODY`, so compressed at the faster level) is read by a standard
/// decoder and by the server's, whole.
#[test]
fn a_full_batch_comes_back_whole() {
    let body = push((0..500).map(|_| lone_visit()).collect());
    assert!(body.len() >= dcz::SMALL_BODY);
    let encoded = dcz::encode(&body).unwrap();
    assert!(encoded.len() < body.len() / 4, "{} bytes of {}", encoded.len(), body.len());
    assert_eq!(standard_decoder(&encoded), body);
    assert_eq!(dcz::decode(&encoded, 4 << 20).unwrap(), body);
}

/// The dictionary holds a push's shape, so a lone visit is far smaller than gzip would make
/// it: under a third of the 1.9 KB a CouchDB-protocol stack sends (633 bytes).
#[test]
fn a_lone_visit_costs_under_a_third_of_a_couchdb_document() {
    let encoded = dcz::encode(&lone_push()).unwrap();
    assert!(encoded.len() < 633, "a lone visit took {} bytes", encoded.len());
}

/// Every field name a visit is sent with is in the dictionary: a field added to the wire
/// and not to a new dictionary would cost every lone visit its bytes again.
#[test]
fn the_dictionary_names_every_field_of_a_push() {
    let dictionary = std::str::from_utf8(DICTIONARY).unwrap();
    let base = lone_visit();
    let amended = Visit {
        amendment_reason: Some("Wrong date".into()),
        attachments: vec![shared::AttachmentRef {
            sha256: "0".repeat(64),
            media_type: "image/jpeg".into(),
            caption: String::new(),
        }],
        interpreters: vec![InterpreterRecord {
            person: InterpretedPerson::Carer { carer_id: shared::CarerId::new() },
            needed: true,
            language: Some("Polish".into()),
            used: Some(InterpreterUsed::FamilyMember { who: "older sister".into() }),
            not_used_reason: Some("None free".into()),
        }],
        plan_actions: vec![shared::PlanActionId::new()],
        next_visit_planned: chrono::NaiveDate::from_ymd_opt(2026, 7, 17),
        ..fixtures::amended(&base, "Wrong date", |_| {})
    };
    let visits = vec![
        base.clone(),
        amended,
        fixtures::not_seen(base.clone(), "No answer at the door"),
        fixtures::not_alone(base, "Asleep", &["mother"], false),
    ];
    let value: serde_json::Value = serde_json::from_slice(&push(visits)).unwrap();
    let mut missing = std::collections::BTreeSet::new();
    fn walk(value: &serde_json::Value, dictionary: &str, missing: &mut std::collections::BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map {
                    if !dictionary.contains(&format!("\"{key}\":")) {
                        missing.insert(key.clone());
                    }
                    walk(inner, dictionary, missing);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, dictionary, missing)),
            _ => {}
        }
    }
    walk(&value, dictionary, &mut missing);
    assert!(missing.is_empty(), "not in the dictionary: {missing:?}");
}
