//! Paging through an anonymous listing: Azure `EnumerationResults`, S3
//! `ListBucketResult` (v2) and GCS JSON — object count, bytes, extensions, oldest and
//! newest modification, capped.

use crate::http::{Http, Resp};
use crate::target::{encode_component, Endpoints, Provider, Target};
use quick_xml::events::Event;
use serde::Serialize;
use std::collections::BTreeMap;

/// What a listing shows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Listing {
    /// Objects listed.
    pub objects: u64,
    /// Their total size.
    pub bytes: u64,
    /// Objects per extension (lower case; `""` for none).
    pub extensions: BTreeMap<String, u64>,
    /// The oldest modification time (RFC 3339).
    pub oldest: Option<String>,
    /// The newest modification time (RFC 3339).
    pub newest: Option<String>,
    /// Whether the listing stopped at `--max-list` before its end.
    pub truncated: bool,
    /// Pages read.
    pub pages: u32,
    /// Object names, only with `--show-names`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<Vec<String>>,
}

/// One listed object.
#[derive(Debug, Clone, Default, PartialEq)]
struct Item {
    name: String,
    size: u64,
    modified: Option<String>,
}

/// The URL of the first page (or the page after `token`).
pub fn page_url(t: &Target, ep: &Endpoints, region: Option<&str>, token: Option<&str>) -> String {
    let base = t.base_url(ep, region);
    let tok = token.map(encode_component);
    match t.provider {
        Provider::Azure => {
            let mut u = format!("{base}?restype=container&comp=list&maxresults=5000");
            if let Some(m) = tok {
                u.push_str(&format!("&marker={m}"));
            }
            u
        }
        Provider::S3 => {
            let sep = if base.ends_with('/') { "" } else { "/" };
            let mut u = format!("{base}{sep}?list-type=2&max-keys=1000");
            if let Some(m) = tok {
                u.push_str(&format!("&continuation-token={m}"));
            }
            u
        }
        Provider::Gcs => {
            let mut u = format!("{base}/o?maxResults=1000");
            if let Some(m) = tok {
                u.push_str(&format!("&pageToken={m}"));
            }
            u
        }
    }
}

/// The URL of the first page.
pub fn first_page_url(t: &Target, ep: &Endpoints, region: Option<&str>) -> String {
    page_url(t, ep, region, None)
}

/// Pages through the listing whose first page is `first`; returns the statistics and
/// (name, size) of every object seen.
pub async fn list(
    http: &Http,
    t: &Target,
    ep: &Endpoints,
    region: Option<&str>,
    first: Resp,
    max: usize,
) -> Result<(Listing, Vec<(String, u64)>), String> {
    let mut l = Listing::default();
    let mut names: Vec<(String, u64)> = Vec::new();
    let mut seen_tokens = std::collections::HashSet::new();
    let mut page = first;
    loop {
        l.pages = l.pages.saturating_add(1);
        let (items, next) = parse_page(t.provider, &page.body)?;
        for it in items {
            if names.len() >= max {
                l.truncated = true;
                break;
            }
            l.objects += 1;
            l.bytes = l.bytes.saturating_add(it.size);
            *l.extensions.entry(extension(&it.name)).or_default() += 1;
            if let Some(m) = it.modified.as_deref().and_then(normalize_time) {
                if l.oldest.as_ref().is_none_or(|o| &m < o) {
                    l.oldest = Some(m.clone());
                }
                if l.newest.as_ref().is_none_or(|n| &m > n) {
                    l.newest = Some(m);
                }
            }
            names.push((it.name, it.size));
        }
        let Some(token) = next.filter(|_| !l.truncated) else {
            break;
        };
        // A server that repeats a token or sends empty pages forever is not followed.
        if !seen_tokens.insert(token.clone()) || l.pages as usize > max / 10 + 100 {
            l.truncated = true;
            break;
        }
        let url = page_url(t, ep, region, Some(&token));
        page = http.get(&url, None, 16 << 20).await?;
        if page.status != 200 {
            return Err(format!(
                "listing page {} answered {}",
                l.pages + 1,
                page.status
            ));
        }
    }
    l.names = Some(names.iter().map(|(n, _)| n.clone()).collect());
    Ok((l, names))
}

fn extension(name: &str) -> String {
    let file = name.rsplit('/').next().unwrap_or(name);
    match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 8 => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// One page: its objects and the token of the next page.
fn parse_page(p: Provider, body: &[u8]) -> Result<(Vec<Item>, Option<String>), String> {
    match p {
        Provider::Gcs => {
            let v: serde_json::Value =
                serde_json::from_slice(body).map_err(|_| "the listing is not JSON".to_string())?;
            let items = v["items"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|o| Item {
                            name: o["name"].as_str().unwrap_or("").to_string(),
                            size: o["size"]
                                .as_str()
                                .and_then(|s| s.parse().ok())
                                .or_else(|| o["size"].as_u64())
                                .unwrap_or(0),
                            modified: o["updated"].as_str().map(str::to_string),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok((items, v["nextPageToken"].as_str().map(str::to_string)))
        }
        Provider::Azure | Provider::S3 => parse_xml(p, body),
    }
}

fn parse_xml(p: Provider, body: &[u8]) -> Result<(Vec<Item>, Option<String>), String> {
    // Element names: item, name, size, modification time, next-page token.
    let tags: [&[u8]; 5] = match p {
        Provider::Azure => [
            b"Blob",
            b"Name",
            b"Content-Length",
            b"Last-Modified",
            b"NextMarker",
        ],
        _ => [
            b"Contents",
            b"Key",
            b"Size",
            b"LastModified",
            b"NextContinuationToken",
        ],
    };
    let [item_tag, name_tag, size_tag, time_tag, next_tag] = tags;
    let mut r = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    let mut items = Vec::new();
    let mut cur: Option<Item> = None;
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut next: Option<String> = None;
    let mut text = String::new();
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let n = e.local_name().as_ref().to_vec();
                if n == item_tag {
                    cur = Some(Item::default());
                }
                path.push(n);
                text.clear();
            }
            Ok(Event::Text(t)) => {
                if let Ok(s) = t.decode() {
                    text.push_str(&s);
                }
            }
            Ok(Event::GeneralRef(g)) => {
                let n: &[u8] = &g;
                text.push(match n {
                    b"amp" => '&',
                    b"lt" => '<',
                    b"gt" => '>',
                    b"quot" => '"',
                    b"apos" => '\'',
                    _ => g.resolve_char_ref().ok().flatten().unwrap_or('?'),
                });
            }
            Ok(Event::End(e)) => {
                let n = e.local_name().as_ref().to_vec();
                if let Some(it) = cur.as_mut() {
                    if n == name_tag {
                        it.name = text.clone();
                    } else if n == size_tag {
                        it.size = text.trim().parse().unwrap_or(0);
                    } else if n == time_tag {
                        it.modified = Some(text.trim().to_string());
                    }
                }
                if n == item_tag {
                    items.extend(cur.take());
                } else if n == next_tag && path.len() <= 2 && !text.trim().is_empty() {
                    next = Some(text.trim().to_string());
                }
                path.pop();
                text.clear();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => return Err("the listing is malformed XML".into()),
        }
        buf.clear();
    }
    Ok((items, next))
}

/// RFC 3339 (`2024-03-01T09:00:00.000Z`) or RFC 1123 (`Fri, 01 Mar 2024 09:00:00 GMT`)
/// as RFC 3339 in UTC, to the second.
fn normalize_time(s: &str) -> Option<String> {
    let s = s.trim();
    if s.as_bytes().get(4) == Some(&b'-') && s.as_bytes().get(10) == Some(&b'T') {
        return s.get(..19).map(|t| format!("{t}Z"));
    }
    let t = httpdate::parse_http_date(s).ok()?;
    let secs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

/// Days since 1970-01-01 → (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_parse() {
        let az = br#"<?xml version="1.0"?><EnumerationResults ContainerName="c"><Blobs><Blob><Name>a &amp; b.csv</Name><Properties><Last-Modified>Fri, 01 Mar 2024 09:00:00 GMT</Last-Modified><Content-Length>12</Content-Length></Properties></Blob></Blobs><NextMarker>m2</NextMarker></EnumerationResults>"#;
        let (items, next) = parse_page(Provider::Azure, az).unwrap();
        assert_eq!(items[0].name, "a & b.csv");
        assert_eq!(items[0].size, 12);
        assert_eq!(
            normalize_time(items[0].modified.as_deref().unwrap()).as_deref(),
            Some("2024-03-01T09:00:00Z")
        );
        assert_eq!(next.as_deref(), Some("m2"));
        let s3 = br#"<ListBucketResult><Name>b</Name><Contents><Key>x/y.PDF</Key><LastModified>2024-02-01T10:00:00.000Z</LastModified><Size>7</Size></Contents><IsTruncated>false</IsTruncated></ListBucketResult>"#;
        let (items, next) = parse_page(Provider::S3, s3).unwrap();
        assert_eq!(
            (items[0].name.as_str(), items[0].size, next),
            ("x/y.PDF", 7, None)
        );
        assert_eq!(extension(&items[0].name), "pdf");
        let gcs = br#"{"items":[{"name":"n.txt","size":"5","updated":"2024-01-01T00:00:00.000Z"}],"nextPageToken":"t"}"#;
        let (items, next) = parse_page(Provider::Gcs, gcs).unwrap();
        assert_eq!((items[0].size, next.as_deref()), (5, Some("t")));
        assert!(
            parse_page(Provider::S3, b"<a><b>").is_ok()
                || parse_page(Provider::S3, b"<a><b>").is_err()
        );
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(extension(".env"), "");
    }
}
