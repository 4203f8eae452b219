use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{AuthenError, InvalidField};

/// Result of one lookup. Deliberately has no name fields (PDPA): names in the response are
/// never copied out of the parsed JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenStatus {
    /// Main insurance scheme id (`mainInscl.id`, e.g. `UCS`).
    pub main_inscl: Option<String>,
    /// Sub scheme id (`subInscl.id`).
    pub sub_inscl: Option<String>,
    /// Codes issued for the requested day; empty = no authen code that day.
    pub codes: Vec<AuthenCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenCode {
    /// The Authen Code (`PP…`, `EP…`).
    pub claim_code: String,
    pub service_code: Option<String>,
    /// As sent by NHSO, e.g. `2025-03-01T08:15:00`.
    pub service_date_time: Option<String>,
    /// `ENDPOINT`, kiosk, …
    pub source_channel: Option<String>,
    /// Unit (hospital) code that authenticated the visit.
    pub hcode: Option<String>,
}

/// Checks that `cid` is 13 ASCII digits (surrounding whitespace ignored) and returns it trimmed.
pub fn validate_cid(cid: &str) -> Result<&str, AuthenError> {
    let cid = cid.trim();
    if cid.len() == 13 && cid.bytes().all(|b| b.is_ascii_digit()) {
        Ok(cid)
    } else {
        Err(AuthenError::InvalidInput(InvalidField::Cid))
    }
}

/// `1234567890121` → `1-2345-xxxxx-xx-1`: the most of a CID that may appear in a log or UI.
/// Anything that is not a 13-digit CID is fully masked.
pub fn mask_cid(cid: &str) -> String {
    match validate_cid(cid) {
        Ok(c) => format!("{}-{}-xxxxx-xx-{}", &c[..1], &c[1..5], &c[12..]),
        Err(_) => "x-xxxx-xxxxx-xx-x".to_owned(),
    }
}

/// Parses a 2xx body. Tolerant: unknown fields are ignored, optional fields may be missing or
/// null, numbers are accepted where strings are expected, and an absent `serviceHistories` means
/// no code. Error texts name only JSON positions/kinds, never values (which could be a CID/name).
pub fn parse_response(body: &[u8]) -> Result<AuthenStatus, AuthenError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        AuthenError::BadResponse(format!(
            "invalid JSON ({:?} error at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    let Value::Object(root) = value else {
        return Err(AuthenError::BadResponse(
            "expected a JSON object".to_owned(),
        ));
    };
    let histories = match root.get("serviceHistories") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(_) => {
            return Err(AuthenError::BadResponse(
                "serviceHistories is not an array".to_owned(),
            ));
        }
    };
    let codes = histories
        .iter()
        .filter_map(Value::as_object)
        .filter_map(parse_history)
        .collect();
    Ok(AuthenStatus {
        main_inscl: inscl_id(root.get("mainInscl")),
        sub_inscl: inscl_id(root.get("subInscl")),
        codes,
    })
}

fn parse_history(h: &Map<String, Value>) -> Option<AuthenCode> {
    // An entry without a claim code carries nothing we can use.
    let claim_code = text(h.get("claimCode"))?;
    let service_code = match h.get("service") {
        Some(Value::Object(s)) => text(s.get("code")),
        other => text(other),
    };
    let hcode = match h.get("hospital") {
        Some(Value::Object(hosp)) => text(hosp.get("hcode")),
        _ => None,
    }
    .or_else(|| text(h.get("hcode")));
    Some(AuthenCode {
        claim_code,
        service_code,
        service_date_time: text(h.get("serviceDateTime")),
        source_channel: text(h.get("sourceChannel")),
        hcode,
    })
}

fn inscl_id(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::Object(o)) => text(o.get("id")),
        other => text(other),
    }
}

/// Non-empty string or number as text; anything else is treated as absent.
fn text(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

fn date_of(code: &AuthenCode) -> Option<NaiveDate> {
    let dt = code.service_date_time.as_deref()?;
    NaiveDate::parse_from_str(dt.get(..10)?, "%Y-%m-%d").ok()
}

/// Picks the code for a visit on `date` at unit `hcode` (if given).
///
/// A code whose date or unit is known and different is never chosen. Among the rest, a known
/// matching date and unit beat unknown ones; ties keep NHSO's order.
pub fn code_for<'a>(
    status: &'a AuthenStatus,
    date: NaiveDate,
    hcode: Option<&str>,
) -> Option<&'a AuthenCode> {
    status
        .codes
        .iter()
        .filter_map(|c| {
            let date_rank = match date_of(c) {
                Some(d) if d == date => 0,
                Some(_) => return None,
                None => 1,
            };
            let unit_rank = match (hcode, c.hcode.as_deref()) {
                (None, _) => 0,
                (Some(want), Some(got)) if want.trim() == got => 0,
                (Some(_), Some(_)) => return None,
                (Some(_), None) => 1,
            };
            Some((date_rank + unit_rank, c))
        })
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{
        "pid": "1234567890121",
        "firstName": "สมชาย", "lastName": "ใจดี",
        "mainInscl": {"id": "UCS", "name": "สิทธิหลักประกันสุขภาพแห่งชาติ"},
        "subInscl": {"id": "89", "name": "ช่วงอายุ 12-59 ปี"},
        "age": {"years": 40},
        "serviceHistories": [
            {"claimCode": "PP1234567890", "service": {"code": "PG0060001", "name": "เข้ารับบริการรักษาทั่วไป"},
             "serviceDateTime": "2025-03-01T08:15:00", "sourceChannel": "KIOSK",
             "hospital": {"hcode": "10670", "hname": "โรงพยาบาล"}},
            {"claimCode": "EP9876543210", "service": {"code": "PG0060001"},
             "serviceDateTime": "2025-03-01T15:00:00", "sourceChannel": "ENDPOINT", "hcode": "11111"},
            {"service": {"code": "PG0060001"}}
        ]
    }"#;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn parses_full_response_without_names() {
        let s = parse_response(FULL.as_bytes()).expect("parses");
        assert_eq!(s.main_inscl.as_deref(), Some("UCS"));
        assert_eq!(s.sub_inscl.as_deref(), Some("89"));
        assert_eq!(s.codes.len(), 2);
        assert_eq!(s.codes[0].claim_code, "PP1234567890");
        assert_eq!(s.codes[0].hcode.as_deref(), Some("10670"));
        assert_eq!(s.codes[0].service_code.as_deref(), Some("PG0060001"));
        assert_eq!(s.codes[1].hcode.as_deref(), Some("11111"));
        assert_eq!(s.codes[1].source_channel.as_deref(), Some("ENDPOINT"));
        let dbg = format!("{s:?}");
        let json = serde_json::to_string(&s).expect("serialises");
        for leaked in ["สมชาย", "ใจดี", "1234567890121"] {
            assert!(!dbg.contains(leaked) && !json.contains(leaked));
        }
    }

    #[test]
    fn tolerant_parsing() {
        for body in [
            "{}",
            r#"{"serviceHistories": null}"#,
            r#"{"serviceHistories": []}"#,
            r#"{"mainInscl": null, "extra": [1,2]}"#,
        ] {
            let s = parse_response(body.as_bytes()).expect(body);
            assert!(s.codes.is_empty(), "{body}");
        }
        let s = parse_response(br#"{"serviceHistories":[{"claimCode": 12345}]}"#).expect("num");
        assert_eq!(s.codes[0].claim_code, "12345");
        assert_eq!(s.codes[0].service_date_time, None);
    }

    #[test]
    fn bad_bodies_do_not_echo_content() {
        for body in [
            "",
            "not json 1234567890121",
            "[1,2]",
            r#"{"serviceHistories": "1234567890121"}"#,
        ] {
            let err = parse_response(body.as_bytes()).expect_err(body);
            assert!(matches!(err, AuthenError::BadResponse(_)));
            assert!(!err.to_string().contains("1234567890121"));
        }
    }

    #[test]
    fn cid_validation_and_mask() {
        assert_eq!(validate_cid(" 1234567890121 "), Ok("1234567890121"));
        for bad in [
            "",
            "123456789012",
            "12345678901212",
            "12345678901a1",
            "１２３４５６７８９０１２１",
        ] {
            assert_eq!(
                validate_cid(bad),
                Err(AuthenError::InvalidInput(InvalidField::Cid))
            );
        }
        assert_eq!(mask_cid("1234567890121"), "1-2345-xxxxx-xx-1");
        assert_eq!(mask_cid("12"), "x-xxxx-xxxxx-xx-x");
    }

    #[test]
    fn code_for_picks_date_and_unit() {
        let s = parse_response(FULL.as_bytes()).expect("parses");
        let day = d(2025, 3, 1);
        assert_eq!(
            code_for(&s, day, None).map(|c| c.claim_code.as_str()),
            Some("PP1234567890")
        );
        assert_eq!(
            code_for(&s, day, Some("11111")).map(|c| c.claim_code.as_str()),
            Some("EP9876543210")
        );
        assert_eq!(code_for(&s, day, Some("99999")), None);
        assert_eq!(code_for(&s, d(2025, 3, 2), None), None);

        // Unknown unit/date are acceptable but lose to known matches.
        let mut s2 = s.clone();
        s2.codes[0].hcode = None;
        s2.codes[0].service_date_time = None;
        s2.codes[1].hcode = Some("10670".into());
        assert_eq!(
            code_for(&s2, day, Some("10670")).map(|c| c.claim_code.as_str()),
            Some("EP9876543210")
        );
        assert!(code_for(&AuthenStatus::default(), day, None).is_none());
    }
}
