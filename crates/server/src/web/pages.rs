//! The pages, as pure functions from data to HTML (maud escapes every value), so every
//! state of every page is tested without a browser.

use super::charts::{bars, Bar};
use crate::hibp::Breach;
use crate::native::{Address, BreachCounts, DomainSummary, Organization};
use crate::verify::StartResponse;
use leakdex_index::VerifiedDomain;
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// `1234567` → `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The frame of every page: one `h1` (given by the page), navigation, a skip link.
pub(crate) fn layout(title: &str, signed_in: bool, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — leakdex" }
                link rel="stylesheet" href="/assets/app.css";
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header {
                    a.brand href="/" { "leakdex" }
                    nav aria-label="Main" {
                        ul {
                            li { a href="/" { "Check an address" } }
                            li { a href="/search" { "Organisations" } }
                            li { a href="/breaches" { "Breaches" } }
                            li { a href="/dashboard" { @if signed_in { "Dashboard" } @else { "Sign in" } } }
                        }
                    }
                }
                main id="main" { (body) }
            }
        }
    }
}

/// `/`: the private address check and the domain lookup.
pub(crate) fn home() -> Markup {
    layout(
        "Check an address",
        false,
        html! {
            h1 { "Was your address exposed?" }
            p {
                "Your address never leaves this browser: it is hashed here (SHA-1), and only the "
                "first 6 characters of the hash are sent. The server answers with every hash "
                "starting that way, and this page looks for yours among them."
            }
            form #check-form .inline {
                div {
                    label for="email" { "E-mail address" }
                    // No `name`: the address can never be submitted to the server, even without JS.
                    input #email type="email" autocomplete="email" required placeholder="jane@example.com";
                }
                button #check-button type="submit" { "Check" }
            }
            div #check-result aria-live="polite" {}
            h2 { "Look up a domain" }
            p { "Counts for an organisation's domain: breaches, data classes, document types — never addresses." }
            form #domain-form .inline method="get" action="/domains" {
                div {
                    label for="domain" { "Domain" }
                    input #domain type="text" name="d" required placeholder="contoso.de" autocomplete="off";
                }
                button type="submit" { "Look up" }
            }
            script src="/assets/check.js" defer {}
        },
    )
}

/// `/domains/{domain}`: the public summary.
pub(crate) fn domain(s: &DomainSummary) -> Markup {
    layout(
        &s.domain,
        false,
        html! {
            h1 { "Exposure of " (s.domain) }
            @if s.breaches.is_empty() {
                p #domain-none { "No breach loaded here names " (s.domain) "." }
            } @else {
                p {
                    (s.domain) " and its subdomains appear in " (s.breaches.len())
                    @if s.breaches.len() == 1 { " breach" } @else { " breaches" }
                    ". Accounts are unique addresses; occurrences count every copy of every document."
                }
                table #domain-breaches {
                    caption.muted { "Per breach: raw references beside unique entities" }
                    thead { tr {
                        th scope="col" { "Breach" } th scope="col" { "Date" }
                        th.num scope="col" { "Accounts" } th.num scope="col" { "Occurrences" }
                        th.num scope="col" { "Documents" } th.num scope="col" { "Messages" }
                        th scope="col" { "Data classes" } th scope="col" { "Document types" }
                    } }
                    tbody {
                        @for b in &s.breaches {
                            tr data-breach=(b.breach) {
                                td { a href=(format!("/breaches/{}", b.breach)) { (b.title) } }
                                td { (b.breach_date) }
                                td.num.accounts { (thousands(b.accounts)) }
                                td.num.occurrences { (thousands(b.occurrences)) }
                                td.num.documents { (thousands(b.documents)) }
                                td.num.messages { (thousands(b.messages)) }
                                td { (b.data_classes.join(", ")) }
                                td { @for (i, (t, c)) in b.document_types.iter().enumerate() {
                                    @if i > 0 { ", " } (t) " " (thousands(c.unique))
                                } }
                            }
                        }
                    }
                }
                p.muted { "Own this domain? " a href="/dashboard" { "Sign in and verify it" } " to see which addresses." }
            }
        },
    )
}

/// `/search?q=`: organisations, branches grouped.
pub(crate) fn search(q: &str, result: Result<&[Organization], &str>) -> Markup {
    layout(
        "Organisations",
        false,
        html! {
            h1 { "Find an organisation" }
            form #org-form .inline method="get" action="/search" {
                div {
                    label for="q" { "Company name" }
                    input #q type="search" name="q" value=(q) required minlength="3" placeholder="Contoso GmbH";
                }
                button type="submit" { "Search" }
            }
            p.muted { "Legal forms (GmbH, SAS, Ltd …), accents and punctuation are ignored; branches under other country domains are grouped." }
            @match result {
                Err(msg) => { p #org-error .error { (msg) } }
                Ok([]) if q.is_empty() => {}
                Ok([]) => { p #org-none { "No organisation matching “" (q) "” in the breaches loaded here." } }
                Ok(orgs) => {
                    ul #org-results {
                        @for o in orgs {
                            li data-org=(o.organization) {
                                strong { (o.organization) } " in " a href=(format!("/breaches/{}", o.breach)) { (o.breach) } ": "
                                (thousands(o.accounts)) " accounts, " (thousands(o.occurrences)) " occurrences, "
                                (o.branches.len()) @if o.branches.len() == 1 { " branch" } @else { " branches" } ": "
                                @for (i, b) in o.branches.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    a href=(format!("/domains/{}", b.domain)) { (b.domain) }
                                    " (" (thousands(b.accounts)) ")"
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// `/breaches`: the catalogue.
pub(crate) fn breaches(list: &[Breach]) -> Markup {
    layout(
        "Breaches",
        false,
        html! {
            h1 { "Breaches" }
            @if list.is_empty() {
                p #breaches-none { "No breach has been loaded yet (" code { "leakdex ingest" } ")." }
            } @else {
                table #breaches {
                    thead { tr {
                        th scope="col" { "Breach" } th scope="col" { "Date" } th scope="col" { "Added" }
                        th.num scope="col" { "Accounts" } th scope="col" { "Data classes" }
                    } }
                    tbody {
                        @for b in list {
                            tr data-breach=(b.name) {
                                td { a href=(format!("/breaches/{}", b.name)) { (b.title) }
                                    @if b.is_sensitive { " " span.muted { "(sensitive)" } }
                                    @if b.is_retired { " " span.muted { "(retired)" } } }
                                td { (b.breach_date) }
                                td { (b.added_date.get(..10).unwrap_or(&b.added_date)) }
                                td.num { (thousands(b.pwn_count)) }
                                td { (b.data_classes.join(", ")) }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// A bar of raw (first series) and unique (second) counts.
fn raw_unique_bar(label: &str, c: &crate::native::Counted) -> Bar {
    Bar {
        label: label.to_string(),
        value: c.raw,
        second: Some(c.unique),
    }
}

/// One raw-and-unique bar per entry, in key order.
fn raw_unique(m: &std::collections::BTreeMap<String, crate::native::Counted>) -> Vec<Bar> {
    m.iter().map(|(k, v)| raw_unique_bar(k, v)).collect()
}

/// The HIBP data class of a kind's plural name (`phones` → "Phone numbers").
fn data_class_of(plural: &str) -> String {
    leakdex_core::KINDS
        .iter()
        .find(|k| k.plural() == plural)
        .and_then(|k| k.data_class())
        .map_or_else(|| plural.to_string(), |c| c.as_str().to_string())
}

/// `/breaches/{name}`: the counts explained, with charts.
pub(crate) fn breach(c: &BreachCounts, countries: &[(String, u64)]) -> Markup {
    let b = &c.breach;
    let kinds: Vec<Bar> = c
        .counts
        .iter()
        .filter(|(k, v)| {
            !matches!(
                k.as_str(),
                "documents" | "messages" | "empty" | "unreadable"
            ) && v.raw > 0
        })
        .map(|(k, v)| Bar {
            label: data_class_of(k),
            ..raw_unique_bar(k, v)
        })
        .collect();
    let types = raw_unique(&c.document_types);
    let months = raw_unique(&c.messages_by_month);
    let by_country: Vec<Bar> = countries
        .iter()
        .map(|(k, n)| Bar {
            label: k.clone(),
            value: *n,
            second: None,
        })
        .collect();
    let get = |k: &str| c.counts.get(k).copied();
    layout(
        &b.title,
        false,
        html! {
            h1 { (b.title) }
            p.muted {
                "Breach date " (b.breach_date) " · added " (b.added_date.get(..10).unwrap_or(&b.added_date))
                " · " (thousands(b.pwn_count)) " unique addresses"
                @if b.is_sensitive { " · sensitive: not shown in address searches" }
                @if b.is_retired { " · retired" }
            }
            @if !b.description.is_empty() {
                // HIBP descriptions are HTML written by the operator (`breach update`).
                div.description { (PreEscaped(&b.description)) }
            }
            p { "Data classes: " (b.data_classes.join(", ")) }
            @if !c.counts_complete {
                p.error { "These counts are incomplete: an ingest of this breach has not finished. Re-run it." }
            }
            section #counts aria-labelledby="counts-h" {
                h2 #counts-h { "The counts, explained" }
                table {
                    thead { tr { th scope="col" { "What" } th.num scope="col" { "Raw references" } th.num scope="col" { "Unique" } } }
                    tbody {
                        @for k in ["documents", "messages", "emails", "domains", "organizations", "persons", "phones", "cards", "ibans", "secrets"] {
                            @if let Some(v) = get(k) {
                                tr data-count=(k) { th scope="row" { (k) } td.num { (thousands(v.raw)) } td.num { (thousands(v.unique)) } }
                            }
                        }
                        tr data-count="org-groups" { th scope="row" { "domains → organisation groups" } td.num { (thousands(c.domains)) } td.num { (thousands(c.organization_groups)) } }
                    }
                }
                ul { @for line in &c.explanation { li { (line) } } }
            }
            section #charts aria-labelledby="charts-h" {
                h2 #charts-h { "At a glance" }
                div.charts {
                    (bars("chart-data-classes", "Data classes: occurrences and unique values", &["raw", "unique"], &kinds))
                    (bars("chart-document-types", "Documents per type", &["raw", "unique"], &types))
                    (bars("chart-countries", "Organisation domains by country", &[], &by_country))
                    (bars("chart-messages", "Messages per month (copies and distinct Message-IDs)", &["copies", "distinct"], &months))
                }
            }
            @if !c.top_domains.is_empty() {
                section #top-domains aria-labelledby="top-h" {
                    h2 #top-h { "Domains with the most addresses" }
                    table {
                        thead { tr { th scope="col" { "Domain" } th.num scope="col" { "Accounts" } th.num scope="col" { "Occurrences" } th.num scope="col" { "Documents" } } }
                        tbody { @for d in &c.top_domains {
                            tr { td { a href=(format!("/domains/{}", d.domain)) { (d.domain) } }
                                 td.num { (thousands(d.accounts)) } td.num { (thousands(d.occurrences)) } td.num { (thousands(d.documents)) } }
                        } }
                    }
                }
            }
        },
    )
}

/// `/dashboard` signed out: the sign-in form.
pub(crate) fn signin(error: Option<&str>) -> Markup {
    layout(
        "Sign in",
        false,
        html! {
            h1 { "Sign in" }
            p { "Sign in with your API key to verify your domains and see their exposed addresses." }
            @if let Some(e) = error { p #signin-error .error role="alert" { (e) } }
            form #signin .inline method="post" action="/dashboard/signin" {
                div {
                    label for="api-key" { "API key" }
                    input #api-key type="password" name="key" required autocomplete="off";
                }
                button type="submit" { "Sign in" }
            }
            p.muted { "No key? An operator creates one with " code { "leakdex keys create --label NAME" } "." }
        },
    )
}

/// What the dashboard shows after an action.
pub(crate) enum Notice<'a> {
    None,
    Started(&'a StartResponse),
    Done(&'a str),
    Failed(&'a str),
    /// A subscription was created: its secret is shown this once.
    Subscribed(&'a crate::subscribe::SubscriptionBody),
}

/// `/dashboard` signed in.
pub(crate) fn dashboard(
    label: &str,
    domains: &[VerifiedDomain],
    subs: &[leakdex_index::Subscription],
    csrf: &str,
    notice: Notice<'_>,
) -> Markup {
    layout(
        "Dashboard",
        true,
        html! {
            h1 { "Dashboard" }
            p.muted { "Signed in with key “" (label) "”." }
            form method="post" action="/dashboard/signout" {
                input type="hidden" name="csrf" value=(csrf);
                button type="submit" { "Sign out" }
            }
            @match notice {
                Notice::None => {}
                Notice::Done(m) => { p #verify-done .good role="status" { (m) } }
                Notice::Failed(m) => { p #verify-error .error role="alert" { (m) } }
                Notice::Subscribed(s) => {
                    section #subscribed .good role="status" {
                        p { "Alerts for " (s.domain) " are on." }
                        @if let Some(secret) = &s.secret {
                            @if s.webhook_url.is_some() {
                                p { "Webhook signing secret (shown only now; Standard Webhooks): "
                                    code #webhook-secret .token { (secret) } }
                            }
                        }
                    }
                }
                Notice::Started(s) => {
                    section #verify-pending aria-labelledby="pending-h" {
                        h2 #pending-h { "Prove you control " (s.domain) }
                        p { (s.instructions) }
                        @if let Some(t) = &s.token { p { "Token: " span #verify-token .token { (t) } } }
                        form #verify-check .inline method="post" action="/dashboard/verify/check" {
                            input type="hidden" name="csrf" value=(csrf);
                            input type="hidden" name="domain" value=(s.domain);
                            input type="hidden" name="method" value=(serde_json::to_value(s.method).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default());
                            @if s.token.is_none() {
                                div { label for="verify-code" { "Code from the e-mail" } input #verify-code type="text" name="code" required autocomplete="one-time-code"; }
                            }
                            button type="submit" { "Check now" }
                        }
                    }
                }
            }
            h2 { "Your verified domains" }
            @if domains.is_empty() {
                p #domains-none { "None yet." }
            } @else {
                ul #domains {
                    @for d in domains {
                        li data-domain=(d.domain) {
                            a href=(format!("/dashboard/domains/{}", d.domain)) { (d.domain) }
                            span.muted { " — verified by " (d.method) " on " (d.verified_at.get(..10).unwrap_or(&d.verified_at)) }
                        }
                    }
                }
            }
            @if !domains.is_empty() {
                h2 { "Alerts" }
                p.muted { "Every later breach that names a domain is sent once to its subscriptions: a signed webhook and/or e-mail." }
                @if subs.iter().any(|s| s.active) {
                    table #subscriptions {
                        thead { tr { th { "Domain" } th { "Webhook" } th { "E-mail" } th { "Addresses" } th { span.visually-hidden { "Remove" } } } }
                        tbody {
                            @for s in subs.iter().filter(|s| s.active) {
                                tr data-subscription=(s.id) {
                                    td { (s.domain) }
                                    td { (s.webhook_url.as_deref().unwrap_or("—")) }
                                    td { @if s.emails.is_empty() { "—" } @else { (s.emails.join(", ")) } }
                                    td { @if s.include_addresses { "listed" } @else { "counts only" } }
                                    td {
                                        form.inline method="post" action="/dashboard/subscriptions/remove" {
                                            input type="hidden" name="csrf" value=(csrf);
                                            input type="hidden" name="id" value=(s.id);
                                            button type="submit" aria-label=(format!("Remove alerts {} for {}", s.id, s.domain)) { "Remove" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } @else {
                    p #subscriptions-none { "No alerts yet." }
                }
                form #subscribe .inline method="post" action="/dashboard/subscriptions" {
                    input type="hidden" name="csrf" value=(csrf);
                    div {
                        label for="subscribe-domain" { "Domain" }
                        select #subscribe-domain name="domain" {
                            @for d in domains { option value=(d.domain) { (d.domain) } }
                        }
                    }
                    div { label for="subscribe-webhook" { "Webhook URL" } input #subscribe-webhook type="url" name="webhook" placeholder="https://hooks.example/leakdex"; }
                    div { label for="subscribe-emails" { "E-mail addresses (comma-separated)" } input #subscribe-emails type="text" name="emails" placeholder="security@contoso.de"; }
                    div { label.check for="subscribe-addresses" { input #subscribe-addresses type="checkbox" name="addresses" value="1"; "List addresses in alerts" } }
                    button type="submit" { "Subscribe" }
                }
            }
            h2 { "Verify a domain" }
            form #verify-start .inline method="post" action="/dashboard/verify/start" {
                input type="hidden" name="csrf" value=(csrf);
                div { label for="verify-domain" { "Domain" } input #verify-domain type="text" name="domain" required placeholder="contoso.de"; }
                div {
                    label for="verify-method" { "Method" }
                    select #verify-method name="method" {
                        option value="dns" { "DNS TXT record" }
                        option value="http" { "File on the web server" }
                        option value="email" { "Code by e-mail" }
                    }
                }
                div {
                    label for="verify-mailbox" { "Mailbox (e-mail method)" }
                    select #verify-mailbox name="mailbox" {
                        @for m in crate::verify::MAILBOXES { option value=(m) { (m) "@" } }
                    }
                }
                button type="submit" { "Start" }
            }
        },
    )
}

/// `/dashboard/domains/{domain}`: the verified owner's addresses.
pub(crate) fn dashboard_domain(domain: &str, rows: &[Address]) -> Markup {
    layout(
        domain,
        true,
        html! {
            h1 { "Exposed addresses at " (domain) }
            p { a href="/dashboard" { "← Dashboard" } " · " a #csv-download href=(format!("/dashboard/domains/{domain}/addresses.csv")) download { "Download as CSV" } }
            @if rows.is_empty() {
                p #addresses-none { "No address at " (domain) " is in a breach loaded here." }
            } @else {
                table #addresses {
                    thead { tr {
                        th scope="col" { "Address" } th scope="col" { "Breach" } th.num scope="col" { "Occurrences" }
                        th scope="col" { "Data classes" } th scope="col" { "Document types" }
                    } }
                    tbody { @for r in rows {
                        tr { td { (r.email) } td { (r.breach) } td.num { (thousands(r.occurrences)) }
                             td { (r.data_classes.join(", ")) } td { (r.document_types.join(", ")) } }
                    } }
                }
            }
        },
    )
}

/// An error page with its status's meaning.
pub(crate) fn error(status: u16, message: &str) -> Markup {
    layout(
        "Error",
        false,
        html! {
            h1 { @match status { 404 => "Not found", 400 => "That did not work", 403 => "Not allowed", 429 => "Too many requests", _ => "Something went wrong" } }
            p #error-message .error { (message) }
            p { a href="/" { "Back to the start" } }
        },
    )
}

#[cfg(test)]
mod tests {
    //! Every page in every state, rendered without a browser.
    use super::*;
    use crate::native::{Branch, Counted, DomainInBreach};
    use std::collections::BTreeMap;

    fn breach(name: &str) -> Breach {
        Breach {
            name: name.into(),
            title: format!("{name} <title>"),
            domain: String::new(),
            breach_date: "2024-03-01".into(),
            added_date: "2024-03-04T10:00:00Z".into(),
            modified_date: "2024-03-04T10:00:00Z".into(),
            pwn_count: 1234,
            description: "<em>ok</em>".into(),
            logo_path: String::new(),
            data_classes: vec!["Email addresses".into(), "Phone numbers".into()],
            is_verified: true,
            is_fabricated: false,
            is_sensitive: false,
            is_retired: false,
            is_spam_list: false,
            is_malware: false,
            is_subscription_free: false,
            is_stealer_log: false,
        }
    }

    fn count(raw: u64, unique: u64) -> Counted {
        Counted { raw, unique }
    }

    /// Exactly one h1, a language, and a label for every input.
    fn accessible(html: &str) {
        assert_eq!(html.matches("<h1").count(), 1, "{html}");
        assert!(html.contains(r#"<html lang="en">"#));
        for (i, _) in html.match_indices("<input ") {
            let tag = &html[i..html[i..].find('>').map_or(html.len(), |e| i + e)];
            if tag.contains(r#"type="hidden""#) {
                continue;
            }
            let id = tag
                .split("id=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or_else(|| panic!("input without id: {tag}"));
            assert!(
                html.contains(&format!(r#"for="{id}""#)),
                "no label for #{id}"
            );
        }
    }

    #[test]
    fn home_never_submits_the_address() {
        let h = home().into_string();
        accessible(&h);
        assert!(
            h.contains(r#"id="check-form""#)
                && h.contains(r#"id="check-result" aria-live="polite""#)
        );
        let email = h
            .split(r#"id="email""#)
            .nth(1)
            .and_then(|r| r.split('>').next())
            .expect("input");
        assert!(
            !email.contains("name="),
            "the address input has no name: {email}"
        );
        assert!(h.contains(r#"src="/assets/check.js""#));
        assert!(
            !h.contains("http://") && !h.contains("https://"),
            "no external assets"
        );
    }

    #[test]
    fn domain_found_and_empty() {
        let mut types = BTreeMap::new();
        types.insert("csv".to_string(), count(3, 2));
        let s = DomainSummary {
            domain: "contoso.de".into(),
            breaches: vec![DomainInBreach {
                breach: "Contoso".into(),
                title: "Contoso <b>CRM</b>".into(),
                breach_date: "2024-03-01".into(),
                accounts: 1234567,
                occurrences: 2000000,
                documents: 12,
                messages: 3,
                kinds: BTreeMap::new(),
                data_classes: vec!["Email addresses".into()],
                document_types: types,
            }],
        };
        let h = domain(&s).into_string();
        accessible(&h);
        assert!(h.contains(r#"<tr data-breach="Contoso">"#));
        assert!(
            h.contains(r#"<td class="num accounts">1,234,567</td>"#),
            "{h}"
        );
        assert!(
            h.contains("Contoso &lt;b&gt;CRM&lt;/b&gt;"),
            "titles are escaped"
        );
        assert!(h.contains("csv 2"));
        let empty = domain(&DomainSummary {
            domain: "nowhere.de".into(),
            breaches: vec![],
        })
        .into_string();
        accessible(&empty);
        assert!(empty.contains(r#"id="domain-none""#) && !empty.contains("domain-breaches"));
    }

    #[test]
    fn search_states() {
        let org = Organization {
            organization: "contoso".into(),
            breach: "Contoso".into(),
            accounts: 5,
            occurrences: 9,
            branches: vec![
                Branch {
                    domain: "contoso.de".into(),
                    accounts: 3,
                    occurrences: 5,
                    documents: 1,
                    messages: 1,
                },
                Branch {
                    domain: "contoso.fr".into(),
                    accounts: 2,
                    occurrences: 4,
                    documents: 1,
                    messages: 0,
                },
            ],
        };
        let found = search("Contoso GmbH", Ok(std::slice::from_ref(&org))).into_string();
        accessible(&found);
        assert!(found.contains(r#"<li data-org="contoso">"#));
        assert!(
            found.contains(r#"href="/domains/contoso.de""#)
                && found.contains(r#"href="/domains/contoso.fr""#)
        );
        assert!(found.contains("2 branches"));
        let none = search("Nobody", Ok(&[])).into_string();
        assert!(none.contains(r#"id="org-none""#));
        let blank = search("", Ok(&[])).into_string();
        assert!(!blank.contains("org-none") && !blank.contains("org-results"));
        let err = search("ab", Err("give at least 3 letters")).into_string();
        assert!(err.contains(r#"id="org-error""#) && err.contains("at least 3"));
        accessible(&err);
    }

    #[test]
    fn breach_catalogue_and_page() {
        let list = breaches(&[
            breach("A"),
            Breach {
                is_sensitive: true,
                ..breach("B")
            },
        ])
        .into_string();
        accessible(&list);
        assert!(list.contains(r#"<tr data-breach="A">"#) && list.contains("(sensitive)"));
        assert!(breaches(&[])
            .into_string()
            .contains(r#"id="breaches-none""#));
        let mut counts = BTreeMap::new();
        counts.insert("emails".to_string(), count(1498, 23));
        counts.insert("phones".to_string(), count(774, 20));
        counts.insert("documents".to_string(), count(139, 98));
        let mut types = BTreeMap::new();
        types.insert("email".to_string(), count(89, 75));
        let c = BreachCounts {
            breach: breach("A"),
            counts_complete: false,
            counts,
            document_types: types,
            messages_by_month: [
                ("2024-02".to_string(), count(10, 4)),
                ("2024-03".to_string(), count(6, 6)),
            ]
            .into_iter()
            .collect(),
            domains: 9,
            organization_groups: 6,
            top_domains: vec![Branch {
                domain: "contoso.de".into(),
                accounts: 3,
                occurrences: 5,
                documents: 1,
                messages: 1,
            }],
            explanation: vec!["rule".into()],
        };
        let h = super::breach(&c, &[("DE".into(), 4), ("FR".into(), 2)]).into_string();
        accessible(&h);
        for id in [
            "chart-data-classes",
            "chart-document-types",
            "chart-countries",
            "chart-messages",
        ] {
            assert!(h.contains(&format!(r#"<svg id="{id}" role="img""#)), "{id}");
        }
        assert!(
            h.contains("Phone numbers"),
            "kinds are shown as data classes"
        );
        assert!(h.contains(r#"<section id="counts""#) && h.contains("1,498"));
        assert!(h.contains("incomplete"), "unfinished ingests are flagged");
        assert!(
            h.contains("<em>ok</em>"),
            "the operator's HTML description is kept"
        );
        let sensitive = BreachCounts {
            top_domains: vec![],
            ..c
        };
        assert!(!super::breach(&sensitive, &[])
            .into_string()
            .contains("top-domains"));
    }

    #[test]
    fn dashboard_states() {
        let signed_out = signin(None).into_string();
        accessible(&signed_out);
        assert!(signed_out.contains(r#"id="signin""#) && signed_out.contains(r#"type="password""#));
        assert!(signin(Some("bad key"))
            .into_string()
            .contains(r#"id="signin-error""#));
        let d = VerifiedDomain {
            domain: "contoso.de".into(),
            method: "dns".into(),
            verified_at: "2024-03-04T10:00:00Z".into(),
        };
        let h =
            dashboard("ops", std::slice::from_ref(&d), &[], "tok123", Notice::None).into_string();
        accessible(&h);
        assert!(h.contains(r#"<li data-domain="contoso.de">"#));
        assert_eq!(
            h.matches(r#"name="csrf" value="tok123""#).count(),
            3,
            "every form carries the CSRF token"
        );
        let started = StartResponse {
            domain: "fabrikam.fr".into(),
            method: crate::verify::Method::Http,
            token: Some("abc".into()),
            instructions: "serve it".into(),
            expires_in: 60,
        };
        let h = dashboard("ops", &[], &[], "tok", Notice::Started(&started)).into_string();
        accessible(&h);
        assert!(
            h.contains(r#"id="verify-token""#)
                && h.contains(r#"id="verify-check""#)
                && h.contains(r#"value="http""#)
        );
        assert!(h.contains(r#"id="domains-none""#));
        let mail = StartResponse {
            token: None,
            method: crate::verify::Method::Email,
            ..started
        };
        let h = dashboard("ops", &[], &[], "tok", Notice::Started(&mail)).into_string();
        accessible(&h);
        assert!(h.contains(r#"id="verify-code""#) && !h.contains(r#"id="verify-token""#));
        assert!(dashboard("ops", &[], &[], "t", Notice::Failed("nope"))
            .into_string()
            .contains(r#"id="verify-error""#));
        assert!(dashboard("ops", &[], &[], "t", Notice::Done("yes"))
            .into_string()
            .contains(r#"id="verify-done""#));
        let sub = leakdex_index::Subscription {
            id: 7,
            key_id: 1,
            domain: "contoso.de".into(),
            webhook_url: Some("https://hooks.contoso.de/x".into()),
            emails: vec!["security@contoso.de".into()],
            include_addresses: false,
            created: "2024-03-04T10:00:00Z".into(),
            active: true,
        };
        let body = crate::subscribe::SubscriptionBody::of(sub.clone(), Some("whsec_abc".into()));
        let h = dashboard(
            "ops",
            std::slice::from_ref(&d),
            std::slice::from_ref(&sub),
            "tok",
            Notice::Subscribed(&body),
        )
        .into_string();
        accessible(&h);
        assert!(h.contains(r#"<tr data-subscription="7">"#), "{h}");
        assert!(h.contains(r#"id="webhook-secret""#) && h.contains("whsec_abc"));
        assert_eq!(h.matches(r#"name="csrf" value="tok""#).count(), 4);
        let h = dashboard("ops", std::slice::from_ref(&d), &[], "tok", Notice::None).into_string();
        assert!(h.contains(r#"id="subscriptions-none""#) && !h.contains("whsec_"));
    }

    #[test]
    fn owner_addresses_and_errors() {
        let rows = [Address {
            email: "jane@contoso.de".into(),
            breach: "A".into(),
            occurrences: 3,
            data_classes: vec!["Email addresses".into()],
            document_types: vec!["csv".into()],
        }];
        let h = dashboard_domain("contoso.de", &rows).into_string();
        accessible(&h);
        assert!(h.contains("jane@contoso.de") && h.contains(r#"id="csv-download""#));
        assert!(dashboard_domain("contoso.de", &[])
            .into_string()
            .contains(r#"id="addresses-none""#));
        for status in [400, 403, 404, 429, 500] {
            let e = error(status, "<script>x</script>").into_string();
            accessible(&e);
            assert!(e.contains("&lt;script&gt;"), "messages are escaped");
        }
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
