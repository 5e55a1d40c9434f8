//! Audit targets: which container of which provider, and where to send requests.

use std::fmt;

/// A cloud storage provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Azure Blob Storage.
    Azure,
    /// Amazon S3 (or an S3-compatible store).
    S3,
    /// Google Cloud Storage.
    Gcs,
}

/// Where requests go instead of the public cloud (emulators, S3-compatible stores).
#[derive(Debug, Clone, Default)]
pub struct Endpoints {
    /// Path-style S3 endpoint: `{s3}/{bucket}`.
    pub s3: Option<String>,
    /// Path-style Azure endpoint (Azurite): `{azure}/{account}/{container}`.
    pub azure: Option<String>,
    /// GCS JSON API endpoint: `{gcs}/storage/v1/b/{bucket}/o`.
    pub gcs: Option<String>,
}

/// One container to audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The provider.
    pub provider: Provider,
    /// The Azure storage account (Azure only).
    pub account: Option<String>,
    /// The container or bucket.
    pub container: String,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.provider {
            Provider::Azure => write!(
                f,
                "az://{}/{}",
                self.account.as_deref().unwrap_or(""),
                self.container
            ),
            Provider::S3 => write!(f, "s3://{}", self.container),
            Provider::Gcs => write!(f, "gs://{}", self.container),
        }
    }
}

/// Why a target could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadTarget(pub String);

fn valid_bucket(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.' || b == b'_'
        })
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

fn valid_account(name: &str) -> bool {
    (3..=24).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn valid_container(name: &str) -> bool {
    name == "$root"
        || ((3..=63).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !name.starts_with('-')
            && !name.contains("--"))
}

impl Target {
    /// Parses `az://ACCOUNT/CONTAINER`, `https://ACCOUNT.blob.core.windows.net/CONTAINER`,
    /// `s3://BUCKET` or `gs://BUCKET`.
    pub fn parse(s: &str) -> Result<Target, BadTarget> {
        let s = s.trim();
        let bad = |why: &str| BadTarget(format!("{s:?}: {why}"));
        let (provider, account, container) = if let Some(rest) = s.strip_prefix("az://") {
            let (a, c) = rest
                .trim_end_matches('/')
                .split_once('/')
                .ok_or_else(|| bad("expected az://ACCOUNT/CONTAINER"))?;
            (Provider::Azure, Some(a.to_string()), c.to_string())
        } else if let Some(rest) = s.strip_prefix("https://") {
            let (host, path) = rest
                .split_once('/')
                .ok_or_else(|| bad("expected https://ACCOUNT.blob.core.windows.net/CONTAINER"))?;
            let account = host
                .strip_suffix(".blob.core.windows.net")
                .ok_or_else(|| bad("only Azure blob URLs (*.blob.core.windows.net) are targets"))?;
            let container = path.trim_end_matches('/').split('/').next().unwrap_or("");
            (
                Provider::Azure,
                Some(account.to_string()),
                container.to_string(),
            )
        } else if let Some(b) = s.strip_prefix("s3://") {
            (Provider::S3, None, b.trim_end_matches('/').to_string())
        } else if let Some(b) = s.strip_prefix("gs://") {
            (Provider::Gcs, None, b.trim_end_matches('/').to_string())
        } else {
            return Err(bad(
                "expected az://, https://ACCOUNT.blob.core.windows.net/, s3:// or gs://",
            ));
        };
        match provider {
            Provider::Azure => {
                if !account.as_deref().is_some_and(valid_account) {
                    return Err(bad(
                        "an Azure account name is 3-24 lower-case letters and digits",
                    ));
                }
                if !valid_container(&container) {
                    return Err(bad("an Azure container name is 3-63 lower-case letters, digits and single hyphens"));
                }
            }
            Provider::S3 | Provider::Gcs => {
                if !valid_bucket(&container) {
                    return Err(bad(
                        "a bucket name is 3-63 lower-case letters, digits, '-', '.' or '_'",
                    ));
                }
            }
        }
        Ok(Target {
            provider,
            account,
            container,
        })
    }

    /// The base URL of the container: requests append `?query` or `/object`.
    pub fn base_url(&self, ep: &Endpoints, s3_region: Option<&str>) -> String {
        let trim = |e: &str| e.trim_end_matches('/').to_string();
        match self.provider {
            Provider::Azure => {
                let account = self.account.as_deref().unwrap_or("");
                match &ep.azure {
                    Some(e) => format!("{}/{account}/{}", trim(e), self.container),
                    None => format!("https://{account}.blob.core.windows.net/{}", self.container),
                }
            }
            Provider::S3 => match (&ep.s3, s3_region) {
                (Some(e), _) => format!("{}/{}", trim(e), self.container),
                // The wildcard certificate does not cover dotted bucket hosts: path style.
                (None, Some(r)) if self.container.contains('.') => {
                    format!("https://s3.{r}.amazonaws.com/{}", self.container)
                }
                (None, None) if self.container.contains('.') => {
                    format!("https://s3.amazonaws.com/{}", self.container)
                }
                (None, Some(r)) => format!("https://{}.s3.{r}.amazonaws.com", self.container),
                (None, None) => format!("https://{}.s3.amazonaws.com", self.container),
            },
            Provider::Gcs => match &ep.gcs {
                Some(e) => format!("{}/storage/v1/b/{}", trim(e), self.container),
                None => format!(
                    "https://storage.googleapis.com/storage/v1/b/{}",
                    self.container
                ),
            },
        }
    }

    /// The URL of one object, for a read by name.
    pub fn object_url(&self, ep: &Endpoints, s3_region: Option<&str>, name: &str) -> String {
        let enc = encode_path(name);
        match self.provider {
            Provider::Azure | Provider::S3 => format!("{}/{enc}", self.base_url(ep, s3_region)),
            Provider::Gcs => {
                let base = ep
                    .gcs
                    .as_deref()
                    .map(|e| e.trim_end_matches('/').to_string())
                    .unwrap_or_else(|| "https://storage.googleapis.com".into());
                format!(
                    "{base}/storage/v1/b/{}/o/{}?alt=media",
                    self.container,
                    encode_component(name)
                )
            }
        }
    }
}

/// Percent-encodes an object name for a URL path (slashes kept).
pub fn encode_path(name: &str) -> String {
    name.split('/')
        .map(encode_component)
        .collect::<Vec<_>>()
        .join("/")
}

/// Percent-encodes one URL component (RFC 3986 unreserved characters kept).
pub fn encode_component(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// Candidate container and account names from an organisation keyword: the keyword
/// alone and with each affix before and after it, joined by nothing, `-` or `.` (`.` and
/// `-` only where the provider allows them).
pub fn candidates(keyword: &str, affixes: &[String]) -> Vec<String> {
    let k: String = keyword
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let mut out = vec![k.clone()];
    for a in affixes {
        let a = a.trim().to_lowercase();
        if a.is_empty() {
            continue;
        }
        for sep in ["", "-", "."] {
            out.push(format!("{k}{sep}{a}"));
            out.push(format!("{a}{sep}{k}"));
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|n| seen.insert(n.clone()));
    out
}

/// The affixes `--org` tries when no `--wordlist` adds more.
pub const AFFIXES: &[&str] = &[
    "backup",
    "backups",
    "bak",
    "prod",
    "production",
    "dev",
    "test",
    "staging",
    "data",
    "files",
    "crm",
    "export",
    "exports",
    "archive",
    "storage",
    "assets",
    "static",
    "public",
    "private",
    "docs",
    "documents",
    "logs",
    "db",
    "sql",
    "media",
    "uploads",
    "share",
    "internal",
];

/// The targets `--org` audits for `keyword`: every candidate as an S3 and a GCS bucket,
/// and as an Azure account (letters and digits only) with the usual container names.
pub fn org_targets(keyword: &str, affixes: &[String]) -> Vec<Target> {
    let names = candidates(keyword, affixes);
    let mut out = Vec::new();
    for n in &names {
        for p in [Provider::S3, Provider::Gcs] {
            if valid_bucket(n) {
                out.push(Target {
                    provider: p,
                    account: None,
                    container: n.clone(),
                });
            }
        }
    }
    let containers = [
        "backup", "backups", "data", "files", "export", "public", "$root",
    ];
    for n in &names {
        if valid_account(n) {
            for c in containers {
                out.push(Target {
                    provider: Provider::Azure,
                    account: Some(n.clone()),
                    container: c.to_string(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_say_what_is_wrong() {
        let t = Target::parse("az://contosobackup/crm-2024").unwrap();
        assert_eq!(
            (t.provider, t.account.as_deref()),
            (Provider::Azure, Some("contosobackup"))
        );
        let u = Target::parse("https://contosobackup.blob.core.windows.net/crm-2024/").unwrap();
        assert_eq!(t, u);
        assert_eq!(
            Target::parse("s3://contoso-backup").unwrap().to_string(),
            "s3://contoso-backup"
        );
        assert_eq!(
            Target::parse("gs://contoso.data").unwrap().provider,
            Provider::Gcs
        );
        assert!(Target::parse("az://Contoso/x")
            .unwrap_err()
            .0
            .contains("account"));
        assert!(Target::parse("s3://ab").is_err());
        assert!(Target::parse("ftp://x").is_err());
        let ep = Endpoints {
            azure: Some("http://127.0.0.1:10000/".into()),
            ..Endpoints::default()
        };
        assert_eq!(
            t.base_url(&ep, None),
            "http://127.0.0.1:10000/contosobackup/crm-2024"
        );
        assert_eq!(
            t.object_url(&ep, None, "a b/c.csv"),
            "http://127.0.0.1:10000/contosobackup/crm-2024/a%20b/c.csv"
        );
    }

    #[test]
    fn org_candidates() {
        let c = candidates("Contoso", &["backup".to_string()]);
        assert_eq!(
            c,
            [
                "contoso",
                "contosobackup",
                "backupcontoso",
                "contoso-backup",
                "backup-contoso",
                "contoso.backup",
                "backup.contoso"
            ]
        );
        let t = org_targets("contoso", &["backup".to_string()]);
        assert!(t.iter().any(
            |t| t.provider == Provider::Azure && t.account.as_deref() == Some("contosobackup")
        ));
        assert!(!t.iter().any(
            |t| t.provider == Provider::Azure && t.account.as_deref() == Some("contoso-backup")
        ));
    }
}
