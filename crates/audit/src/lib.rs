//! Cloud exposure audit: can anyone on the internet list or read an Azure Blob container,
//! an S3 bucket or a GCS bucket — with the evidence (status, provider error code,
//! headers) — and, with `--scan`, what sensitive data does it expose, streamed straight
//! into the scanner without a local copy.
//!
//! Every request is anonymous (no credentials are ever sent). The probe is a thin HTTP
//! layer of our own ([`http`]) because classification needs exact status codes and
//! provider error codes, which storage client libraries fold into generic errors; the
//! same layer pages through listings and streams objects. Object names are evidence of a
//! leak themselves: they are kept in memory for `--scan` and printed only with
//! `--show-names`.
#![deny(missing_docs)]

pub mod http;
mod listing;
pub mod scan;
pub mod target;

pub use listing::Listing;
pub use target::{Endpoints, Provider, Target};

use http::{Http, Resp};
use serde::Serialize;
use std::collections::BTreeMap;

/// What anonymous access a container allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Anyone can list it (and so read what is in it, unless objects are protected).
    Listable,
    /// Not listable, but objects are readable by name.
    Readable,
    /// It exists; anonymous access is refused.
    Private,
    /// No such container (or account).
    NotFound,
    /// Public access is switched off for the bucket or account (S3 `AllAccessDisabled`,
    /// Azure `PublicAccessNotPermitted`).
    AccessDisabled,
    /// The answer says nothing certain (network failure, unexpected status).
    Error,
}

impl Access {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Listable => "listable",
            Access::Readable => "readable",
            Access::Private => "private",
            Access::NotFound => "not_found",
            Access::AccessDisabled => "access_disabled",
            Access::Error => "error",
        }
    }
}

/// The request and answer a classification rests on.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evidence {
    /// What was asked: `list`, `read` or `dns`.
    pub request: String,
    /// The URL asked (the object part replaced by `<object>` unless names may be shown).
    pub url: String,
    /// HTTP status, if an answer came.
    pub status: Option<u16>,
    /// The provider's error code (`AccessDenied`, `PublicAccessNotPermitted`, …).
    pub code: Option<String>,
    /// Evidence headers.
    pub headers: BTreeMap<String, String>,
    /// Attempts made (retries on 429/503/`SlowDown`).
    pub attempts: u32,
    /// A transport failure, if no answer came.
    pub error: Option<String>,
}

impl Evidence {
    fn from(request: &str, url: &str, r: &Result<Resp, String>) -> Evidence {
        match r {
            Ok(resp) => Evidence {
                request: request.into(),
                url: url.into(),
                status: Some(resp.status),
                code: resp.error_code(),
                headers: resp.headers.iter().cloned().collect(),
                attempts: resp.attempts,
                error: None,
            },
            Err(e) => Evidence {
                request: request.into(),
                url: url.into(),
                status: None,
                error: Some(e.clone()),
                ..Evidence::default()
            },
        }
    }
}

/// The outcome for one target.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// `az://account/container`, `s3://bucket`, `gs://bucket`.
    pub target: String,
    /// The provider.
    pub provider: Provider,
    /// The classification.
    pub access: Access,
    /// The S3 region, when a redirect told it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The requests and answers it rests on, in order.
    pub evidence: Vec<Evidence>,
    /// For listable containers: what the listing shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing: Option<Listing>,
    /// Objects found readable by name (when not listable).
    pub readable_objects: usize,
    /// For listable containers: whether the first listed object can be read too (a
    /// listing may be public while the objects are not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objects_readable: Option<bool>,
    /// What `--scan` found, if asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan: Option<scan::ScanSummary>,
    /// Object names that can be read (for `--scan`); never serialised.
    #[serde(skip)]
    pub names: Vec<(String, u64)>,
}

/// How an audit runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Emulator and S3-compatible endpoints.
    pub endpoints: Endpoints,
    /// Object names to try reading when a container is not listable.
    pub objects: Vec<String>,
    /// Most objects a listing pages through.
    pub max_list: usize,
    /// Print object names (they leak too).
    pub show_names: bool,
    /// The DNS server that says whether an Azure account exists (default: the system's).
    pub dns_server: Option<std::net::SocketAddr>,
}

impl Outcome {
    /// An `error` outcome for `t`, with no answer to show.
    pub fn failed(t: &Target, why: &str) -> Outcome {
        let mut o = Outcome::new(t);
        o.evidence.push(Evidence {
            request: "list".into(),
            error: Some(why.into()),
            ..Evidence::default()
        });
        o
    }

    fn new(t: &Target) -> Outcome {
        Outcome {
            target: t.to_string(),
            provider: t.provider,
            access: Access::Error,
            region: None,
            evidence: Vec::new(),
            listing: None,
            readable_objects: 0,
            objects_readable: None,
            scan: None,
            names: Vec::new(),
        }
    }
}

/// Audits one target.
pub async fn audit(http: &Http, opts: &Options, t: &Target) -> Outcome {
    let mut out = Outcome::new(t);
    let ep = &opts.endpoints;
    // Azure: an account that does not resolve does not exist (public cloud, or wherever
    // --dns-server says accounts live).
    if t.provider == Provider::Azure && (ep.azure.is_none() || opts.dns_server.is_some()) {
        let host = format!(
            "{}.blob.core.windows.net",
            t.account.as_deref().unwrap_or("")
        );
        if !resolves(&host, opts.dns_server).await {
            out.evidence.push(Evidence {
                request: "dns".into(),
                url: host,
                error: Some("the account name does not resolve".into()),
                ..Evidence::default()
            });
            out.access = Access::NotFound;
            return out;
        }
    }
    let mut region: Option<String> = None;
    let mut first = listing::first_page_url(t, ep, None);
    let mut r = http.get(&first, None, 16 << 20).await;
    out.evidence.push(Evidence::from("list", &first, &r));
    // S3 tells the bucket's region in a redirect (or a 400 naming it): ask there.
    if t.provider == Provider::S3 {
        if let Ok(resp) = &r {
            if matches!(resp.status, 301 | 307 | 400) {
                if let Some(reg) = resp.header("x-amz-bucket-region") {
                    region = Some(reg.to_string());
                    first = listing::first_page_url(t, ep, region.as_deref());
                    r = http.get(&first, None, 16 << 20).await;
                    out.evidence.push(Evidence::from("list", &first, &r));
                }
            }
        }
    }
    out.region = region.clone();
    let resp = match r {
        Ok(resp) => resp,
        Err(_) => return out,
    };
    let code = resp.error_code();
    out.access = classify(t.provider, resp.status, code.as_deref());
    if out.access == Access::Listable {
        match listing::list(http, t, ep, region.as_deref(), resp, opts.max_list).await {
            Ok((l, names)) => {
                if let Some((first, _)) = names.first() {
                    let ok = read_probe(http, opts, t, region.as_deref(), first, &mut out).await;
                    out.objects_readable = Some(ok);
                }
                // Objects the listing names but nobody may read are not scanned.
                out.names = if out.objects_readable == Some(false) {
                    Vec::new()
                } else {
                    names
                };
                out.listing = Some(if opts.show_names {
                    l
                } else {
                    Listing { names: None, ..l }
                });
            }
            Err(e) => out.evidence.push(Evidence {
                request: "list".into(),
                error: Some(e),
                ..Evidence::default()
            }),
        }
        return out;
    }
    // Not listable: objects may still be readable by name (Azure "blob" level, S3 and GCS
    // object ACLs).
    if out.access == Access::Private {
        for name in &opts.objects {
            if read_probe(http, opts, t, region.as_deref(), name, &mut out).await {
                out.names.push((name.clone(), 0));
            }
        }
        out.readable_objects = out.names.len();
        if !out.names.is_empty() {
            out.access = Access::Readable;
        }
    }
    out
}

/// Whether `host` has an address: asked of `server`, else of the system's resolver. A
/// server that cannot be reached says nothing: the name is taken to exist.
async fn resolves(host: &str, server: Option<std::net::SocketAddr>) -> bool {
    let Some(addr) = server else {
        return tokio::net::lookup_host(format!("{host}:443")).await.is_ok();
    };
    use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
    use hickory_resolver::name_server::TokioConnectionProvider;
    use hickory_resolver::{ResolveErrorKind, Resolver};
    let mut opts = ResolverOpts::default();
    opts.timeout = std::time::Duration::from_secs(5);
    opts.attempts = 2;
    let resolver = Resolver::builder_with_config(
        ResolverConfig::from_parts(
            None,
            vec![],
            NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true),
        ),
        TokioConnectionProvider::default(),
    )
    .with_options(opts)
    .build();
    match resolver.lookup_ip(format!("{host}.")).await {
        Ok(ips) => ips.iter().next().is_some(),
        Err(e) => match e.kind() {
            ResolveErrorKind::Proto(p) => !p.is_no_records_found() && !p.is_nx_domain(),
            _ => true,
        },
    }
}

/// Reads the first byte of object `name`; records the evidence; true when readable.
async fn read_probe(
    http: &Http,
    opts: &Options,
    t: &Target,
    region: Option<&str>,
    name: &str,
    out: &mut Outcome,
) -> bool {
    let ep = &opts.endpoints;
    let url = t.object_url(ep, region, name);
    let r = http.get(&url, Some(1), 4096).await;
    let shown = if opts.show_names {
        url.clone()
    } else {
        format!("{}/<object>", t.base_url(ep, region))
    };
    let ok = matches!(&r, Ok(resp) if resp.status == 200 || resp.status == 206);
    let mut ev = Evidence::from("read", &shown, &r);
    if !opts.show_names {
        // A redirect's target names the object.
        if let Some(l) = ev.headers.get_mut("location") {
            *l = "<redacted: --show-names>".into();
        }
    }
    out.evidence.push(ev);
    ok
}

/// The classification of an anonymous list answer.
pub fn classify(p: Provider, status: u16, code: Option<&str>) -> Access {
    let code = code.unwrap_or("");
    if status == 200 {
        return Access::Listable;
    }
    if matches!(
        code,
        "AllAccessDisabled" | "PublicAccessNotPermitted" | "AccountIsDisabled"
    ) {
        return Access::AccessDisabled;
    }
    match p {
        // Azure answers an anonymous list of a private (or blob-level) container with 404
        // ResourceNotFound, by design: only ContainerNotFound says it does not exist.
        Provider::Azure => match (status, code) {
            (404, "ContainerNotFound") => Access::NotFound,
            (400, "InvalidResourceName") => Access::NotFound,
            (401 | 403 | 404, _) => Access::Private,
            _ => Access::Error,
        },
        Provider::S3 => match (status, code) {
            (404, "NoSuchBucket") => Access::NotFound,
            (403, _) => Access::Private,
            (404, _) => Access::NotFound,
            _ => Access::Error,
        },
        Provider::Gcs => match status {
            401 | 403 => Access::Private,
            404 => Access::NotFound,
            _ => Access::Error,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_classify() {
        assert_eq!(
            classify(Provider::S3, 403, Some("AllAccessDisabled")),
            Access::AccessDisabled
        );
        assert_eq!(
            classify(Provider::S3, 403, Some("AccessDenied")),
            Access::Private
        );
        assert_eq!(
            classify(Provider::S3, 404, Some("NoSuchBucket")),
            Access::NotFound
        );
        assert_eq!(
            classify(Provider::Azure, 409, Some("PublicAccessNotPermitted")),
            Access::AccessDisabled
        );
        assert_eq!(
            classify(Provider::Azure, 404, Some("ContainerNotFound")),
            Access::NotFound
        );
        assert_eq!(
            classify(Provider::Azure, 404, Some("ResourceNotFound")),
            Access::Private
        );
        assert_eq!(
            classify(Provider::Azure, 403, Some("NoAuthenticationInformation")),
            Access::Private
        );
        assert_eq!(classify(Provider::Gcs, 401, None), Access::Private);
        assert_eq!(classify(Provider::Gcs, 200, None), Access::Listable);
        assert_eq!(
            classify(Provider::S3, 500, Some("InternalError")),
            Access::Error
        );
    }
}
