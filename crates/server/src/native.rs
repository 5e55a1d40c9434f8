//! The native API under `/api/v1`: what HIBP cannot express — raw and unique counts,
//! document types, organisation groups, the counting explanation of a breach, and a
//! verified owner's addresses with their data classes and document types.

use crate::auth::Authed;
use crate::error::{ApiError, ErrorBody, PathArg, QueryArgs};
use crate::hibp::{self, RangeEntry};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use leakdex_index::{Count, DomainCount};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// A raw and a unique count.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Counted {
    /// Every occurrence in every copy.
    pub raw: u64,
    /// Distinct values (documents by content, messages by Message-ID).
    pub unique: u64,
}

impl From<Count> for Counted {
    fn from(c: Count) -> Counted {
        Counted {
            raw: c.raw,
            unique: c.unique,
        }
    }
}

/// A domain in one breach, counts only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DomainInBreach {
    /// Breach name.
    pub breach: String,
    /// Breach title.
    pub title: String,
    /// When the breach happened.
    pub breach_date: String,
    /// Unique addresses at the domain.
    pub accounts: u64,
    /// Raw occurrences of those addresses.
    pub occurrences: u64,
    /// Unique documents naming the domain.
    pub documents: u64,
    /// Unique messages naming the domain.
    pub messages: u64,
    /// Raw occurrences per kind in those documents (`phones`, `cards`, …).
    pub kinds: BTreeMap<String, u64>,
    /// Data classes exposed.
    pub data_classes: Vec<String>,
    /// Types of the documents holding the domain's addresses.
    pub document_types: BTreeMap<String, Counted>,
}

/// The public summary of a domain: never addresses.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DomainSummary {
    /// The registrable domain.
    pub domain: String,
    /// The breaches naming it (neither sensitive nor retired).
    pub breaches: Vec<DomainInBreach>,
}

/// `GET /api/v1/domains/{domain}`: the public summary of a domain.
#[utoipa::path(get, path = "/api/v1/domains/{domain}", tag = "native",
    params(("domain" = String, Path, description = "A domain (its registrable domain is used)")),
    responses((status = 200, body = DomainSummary), (status = 400, description = "Not a domain", body = ErrorBody)))]
pub(crate) async fn domain_summary(
    State(state): State<AppState>,
    PathArg(raw): PathArg<String>,
) -> Result<Json<DomainSummary>, ApiError> {
    Ok(Json(summary(&state, &raw).await?))
}

/// The public summary of a domain (its registrable domain).
pub(crate) async fn summary(state: &AppState, raw: &str) -> Result<DomainSummary, ApiError> {
    let d = hibp::hostname(raw)?;
    let domain = leakdex_core::registrable_domain(&d)
        .ok_or_else(|| ApiError::BadRequest("not a domain name".into()))?;
    let hits = state.index().search_domain(&domain).await?;
    let mut types = state.index().domain_document_types(&domain).await?;
    let catalogue = state.index().breaches().await?;
    let breaches = hits
        .into_iter()
        .filter(|h| !h.is_sensitive && !h.is_retired)
        .map(|h| {
            let document_types: BTreeMap<String, Counted> = types
                .remove(&h.breach)
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.into()))
                .collect();
            // The documents holding the domain's addresses add their types' classes
            // ("Invoices", "Signed contracts", …) to those of the findings.
            let mut data_classes = h.data_classes;
            for t in document_types.keys() {
                if let Some((ty, signed)) = leakdex_core::DocType::from_label(t) {
                    for c in ty.data_classes(signed) {
                        if !data_classes.iter().any(|d| d == c.as_str()) {
                            data_classes.push(c.as_str().to_string());
                        }
                    }
                }
            }
            DomainInBreach {
                breach_date: catalogue
                    .iter()
                    .find(|b| b.name == h.breach)
                    .map(|b| b.breach_date.clone())
                    .unwrap_or_default(),
                document_types,
                breach: h.breach,
                title: h.title,
                accounts: h.accounts,
                occurrences: h.occurrences,
                documents: h.documents,
                messages: h.messages,
                kinds: h.kinds,
                data_classes,
            }
        })
        .collect();
    Ok(DomainSummary { domain, breaches })
}

/// A branch of an organisation: one registrable domain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Branch {
    /// The domain.
    pub domain: String,
    /// Unique addresses.
    pub accounts: u64,
    /// Raw occurrences.
    pub occurrences: u64,
    /// Unique documents naming it.
    pub documents: u64,
    /// Unique messages naming it.
    pub messages: u64,
}

impl From<DomainCount> for Branch {
    fn from(d: DomainCount) -> Branch {
        Branch {
            domain: d.domain,
            accounts: d.accounts,
            occurrences: d.occurrences,
            documents: d.documents,
            messages: d.messages,
        }
    }
}

/// An organisation in a breach, its branches grouped.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Organization {
    /// The organisation key: the name, legal forms and punctuation removed.
    pub organization: String,
    /// Breach name.
    pub breach: String,
    /// Unique addresses over all branches.
    pub accounts: u64,
    /// Raw occurrences over all branches.
    pub occurrences: u64,
    /// One entry per registrable domain.
    pub branches: Vec<Branch>,
}

/// `?q=` of the organisation search.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct OrgQuery {
    /// A company name or part of one, e.g. "Contoso GmbH" (legal forms and accents are
    /// ignored); at least 3 letters.
    #[param(min_length = 3, max_length = 200)]
    q: String,
}

/// `GET /api/v1/organizations?q=NAME`: organisations by name, branches grouped.
#[utoipa::path(get, path = "/api/v1/organizations", tag = "native", params(OrgQuery),
    responses((status = 200, body = [Organization]), (status = 400, description = "Fewer than 3 letters, or over 200 characters", body = ErrorBody)))]
pub(crate) async fn organizations(
    State(state): State<AppState>,
    QueryArgs(q): QueryArgs<OrgQuery>,
) -> Result<Json<Vec<Organization>>, ApiError> {
    Ok(Json(orgs(&state, &q.q).await?))
}

/// Organisations whose name contains `q` (sensitive breaches left out).
pub(crate) async fn orgs(state: &AppState, q: &str) -> Result<Vec<Organization>, ApiError> {
    if q.trim().is_empty() || q.len() > 200 {
        return Err(ApiError::BadRequest(
            "q: give a company name of 1–200 characters".into(),
        ));
    }
    let hits = state.index().search_org(q).await?;
    Ok(hits
        .into_iter()
        .filter(|h| !h.is_sensitive)
        .map(|h| Organization {
            organization: h.organization,
            breach: h.breach,
            accounts: h.accounts,
            occurrences: h.occurrences,
            branches: h.branches.into_iter().map(Branch::from).collect(),
        })
        .collect())
}

/// How a breach's numbers come about: raw references beside unique entities.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BreachCounts {
    /// The catalogue entry, as HIBP.
    pub breach: hibp::Breach,
    /// Whether the counts reflect every loaded file (false while an ingest is unfinished).
    pub counts_complete: bool,
    /// Raw and unique counts: `documents`, `messages`, `empty`, `unreadable` and one per kind.
    pub counts: BTreeMap<String, Counted>,
    /// Documents per type, raw and unique.
    pub document_types: BTreeMap<String, Counted>,
    /// Messages per month of their Date header (`2024-03`), raw and unique.
    pub messages_by_month: BTreeMap<String, Counted>,
    /// Registrable domains named.
    pub domains: u64,
    /// Organisation groups those domains fall into.
    pub organization_groups: u64,
    /// The domains with the most addresses (left out for sensitive breaches).
    pub top_domains: Vec<Branch>,
    /// The counting rules, in words.
    pub explanation: Vec<String>,
}

/// `GET /api/v1/breaches/{name}`: a breach's counts, explained.
#[utoipa::path(get, path = "/api/v1/breaches/{name}", tag = "native",
    params(("name" = String, Path, description = "Breach name")),
    responses((status = 200, body = BreachCounts), (status = 404, description = "No such breach")))]
pub(crate) async fn breach_counts(
    State(state): State<AppState>,
    PathArg(name): PathArg<String>,
) -> Result<Json<BreachCounts>, ApiError> {
    Ok(Json(counts(&state, &name).await?))
}

/// A breach's counts, explained.
pub(crate) async fn counts(state: &AppState, name: &str) -> Result<BreachCounts, ApiError> {
    let b = state
        .index()
        .breach(name)
        .await?
        .ok_or_else(|| ApiError::NotFound(Some(format!("no breach named {name:?}"))))?;
    let (domains, groups) = state.index().org_groups(b.id).await?;
    let top = if b.is_sensitive {
        Vec::new()
    } else {
        state.index().top_domains(b.id, 20).await?
    };
    let c = |k: &str| b.counts.get(k).copied().unwrap_or_default();
    let docs = c("documents");
    let msgs = c("messages");
    let emails = c("emails");
    let explanation = vec![
        format!(
            "{} document copies were found; {} of them are distinct by content — the other {} are exact duplicates (same bytes at another path or inside another archive).",
            docs.raw, docs.unique, docs.raw.saturating_sub(docs.unique)
        ),
        format!(
            "{} message copies carry {} distinct Message-IDs: a message stored once per recipient's mailbox counts once.",
            msgs.raw, msgs.unique
        ),
        format!(
            "E-mail addresses occur {} times in all; {} distinct addresses (after normalisation) are the breach's PwnCount.",
            emails.raw, emails.unique
        ),
        format!(
            "{domains} registrable domains fall into {groups} organisation groups: branches under other country domains (contoso.de, contoso.fr) count as one organisation."
        ),
        "Decoys (Message-IDs, Content-IDs, version strings, numbers failing their checksums) are not counted. See docs/counting.md.".to_string(),
    ];
    Ok(BreachCounts {
        counts_complete: b.counts_complete,
        counts: b
            .counts
            .iter()
            .map(|(k, v)| (k.clone(), (*v).into()))
            .collect(),
        messages_by_month: b
            .messages_by_month
            .iter()
            .map(|(k, v)| (k.clone(), (*v).into()))
            .collect(),
        document_types: b
            .document_types
            .iter()
            .map(|(k, v)| (k.clone(), (*v).into()))
            .collect(),
        domains,
        organization_groups: groups,
        top_domains: top.into_iter().map(Branch::from).collect(),
        explanation,
        breach: b.into(),
    })
}

/// One address of a verified domain in one breach.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Address {
    /// The address.
    pub email: String,
    /// Breach name.
    pub breach: String,
    /// Raw occurrences in the breach.
    pub occurrences: u64,
    /// Data classes of the documents it occurs in.
    pub data_classes: Vec<String>,
    /// Types of the documents it occurs in.
    pub document_types: Vec<String>,
}

/// `?format=` of the address list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FormatQuery {
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// `GET /api/v1/domains/{domain}/addresses`: for a domain this key has verified, its
/// exposed addresses per breach (sensitive breaches included). Every call is audited.
#[utoipa::path(get, path = "/api/v1/domains/{domain}/addresses", tag = "native",
    params(("domain" = String, Path, description = "A domain this key has verified"), FormatQuery),
    responses((status = 200, description = "JSON, or CSV with format=csv",
               content((Vec<Address> = "application/json"), (String = "text/csv"))),
              (status = 400, description = "Not a registrable domain, or format not json or csv", body = ErrorBody),
              (status = 401, description = "Missing or invalid key"), (status = 403, description = "Domain not verified by this key")),
    security(("hibp-api-key" = [])))]
pub(crate) async fn domain_addresses(
    State(state): State<AppState>,
    Authed(key): Authed,
    PathArg(raw): PathArg<String>,
    QueryArgs(q): QueryArgs<FormatQuery>,
) -> Result<Response, ApiError> {
    let domain = hibp::registrable(&raw)?;
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::BadRequest("format must be json or csv".into())),
    };
    let rows = addresses(&state, &key, &domain, "GET /api/v1/domains/addresses").await?;
    if !csv {
        return Ok(Json(rows).into_response());
    }
    let body = addresses_csv(&rows)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{domain}-addresses.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// A verified domain's addresses, the access audited as `action`; 403 unless `key` has
/// verified `domain`.
pub(crate) async fn addresses(
    state: &AppState,
    key: &leakdex_index::ApiKey,
    domain: &str,
    action: &str,
) -> Result<Vec<Address>, ApiError> {
    if !state.index().is_verified(key.id, domain).await? {
        return Err(ApiError::Unverified);
    }
    state.index().audit(key, domain, action).await?;
    Ok(state
        .index()
        .domain_addresses(domain)
        .await?
        .into_iter()
        .map(|r| Address {
            email: r.email,
            breach: r.breach,
            occurrences: r.occurrences,
            data_classes: r.data_classes,
            document_types: r.document_types,
        })
        .collect())
}

/// Addresses as CSV with a header row; lists joined by `;`.
pub(crate) fn addresses_csv(rows: &[Address]) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header_row = [
        "email",
        "breach",
        "occurrences",
        "data_classes",
        "document_types",
    ];
    w.write_record(header_row)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    for r in rows {
        w.write_record([
            r.email.as_str(),
            r.breach.as_str(),
            &r.occurrences.to_string(),
            &r.data_classes.join(";"),
            &r.document_types.join(";"),
        ])
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    w.into_inner()
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// `GET /api/v1/range/{prefix}`: the k-anonymity lookup without a key (limited per IP),
/// for browsers: the web page hashes the address and sends only the prefix.
#[utoipa::path(get, path = "/api/v1/range/{prefix}", tag = "native",
    params(("prefix" = String, Path, description = "First 6 hex characters of SHA-1(lower-cased address)")),
    responses((status = 200, body = [RangeEntry]), (status = 400, description = "Not 6 hex characters", body = ErrorBody)))]
pub(crate) async fn range(
    State(state): State<AppState>,
    PathArg(prefix): PathArg<String>,
) -> Result<Response, ApiError> {
    hibp::range_answer(&state, &prefix).await
}
