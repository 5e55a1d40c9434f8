//! `leakdex subscriptions …` and `leakdex notify …`: alert subscriptions and the outbox.

use crate::cli::{DeliveryArgs, Global, MailArgs, NotifyCommand, SubscriptionsCommand};
use leakdex_index::{Index, NewSubscription, Notification};
use leakdex_server::alerts::{Deliverer, DeliveryConfig};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

/// A deliverer configured from the command line.
pub fn deliverer(index: &Index, mail: &MailArgs, d: &DeliveryArgs) -> anyhow::Result<Deliverer> {
    let cfg = DeliveryConfig {
        timeout: d
            .alert_timeout
            .clamp(Duration::from_millis(100), Duration::from_secs(3600)),
        poll: d.alert_poll.max(std::time::Duration::from_millis(50)),
        retry_base: d
            .alert_retry_base
            .max(std::time::Duration::from_millis(100)),
        retry_cap: d.alert_retry_cap,
        give_up: d.alert_give_up,
        allow_private: d.webhook_allow_private,
        smtp_url: mail.smtp_url.clone(),
        mail_from: mail.mail_from.clone(),
        ..DeliveryConfig::default()
    };
    Ok(Deliverer::new(index.clone(), cfg)?)
}

pub fn subscriptions(cmd: SubscriptionsCommand, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = super::runtime()?;
    let index = rt.block_on(super::open(&global.db))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let code = match cmd {
        SubscriptionsCommand::Add {
            key_id,
            domain,
            webhook,
            emails,
            include_addresses,
        } => {
            let new = NewSubscription {
                key_id,
                domain,
                webhook_url: webhook,
                emails,
                include_addresses,
            };
            match rt.block_on(index.create_subscription(&new)) {
                Ok((sub, secret)) => {
                    writeln!(out, "{secret}")?;
                    if !global.quiet {
                        eprintln!(
                            "Subscription {} for {}: later breaches naming it are sent to {}.",
                            sub.id,
                            sub.domain,
                            targets(sub.webhook_url.as_deref(), &sub.emails)
                        );
                        if sub.webhook_url.is_some() {
                            eprintln!("Webhooks are signed with the secret above (Standard Webhooks; see docs/alerts.md).");
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(
                    e @ (leakdex_index::Error::Invalid(_) | leakdex_index::Error::Forbidden(_)),
                ) => {
                    eprintln!("leakdex: {e}");
                    ExitCode::from(2)
                }
                Err(e) => return Err(e.into()),
            }
        }
        SubscriptionsCommand::List { key_id, json } => {
            for s in rt.block_on(index.subscriptions(key_id))? {
                if json {
                    serde_json::to_writer(&mut out, &s)?;
                    writeln!(out)?;
                } else {
                    writeln!(
                        out,
                        "{:>4}  key {:<4} {:<28} {}{}{}",
                        s.id,
                        s.key_id,
                        s.domain,
                        targets(s.webhook_url.as_deref(), &s.emails),
                        if s.include_addresses {
                            "  [with addresses]"
                        } else {
                            ""
                        },
                        if s.active { "" } else { "  [removed]" }
                    )?;
                }
            }
            ExitCode::SUCCESS
        }
        SubscriptionsCommand::Secret { id } => match rt.block_on(index.subscription_secret(id))? {
            Some(secret) => {
                writeln!(out, "{secret}")?;
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("leakdex: no subscription {id} (see `leakdex subscriptions list`)");
                ExitCode::from(1)
            }
        },
        SubscriptionsCommand::Remove { id } => {
            if rt.block_on(index.remove_subscription(id, None))? {
                writeln!(
                    out,
                    "Removed subscription {id}; alerts it had not sent yet are cancelled."
                )?;
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "leakdex: no active subscription {id} (see `leakdex subscriptions list`)"
                );
                ExitCode::from(1)
            }
        }
    };
    rt.block_on(index.close());
    Ok(code)
}

fn targets(webhook: Option<&str>, emails: &[String]) -> String {
    let mut t: Vec<String> = webhook
        .map(|w| format!("webhook {w}"))
        .into_iter()
        .collect();
    if !emails.is_empty() {
        t.push(format!("e-mail {}", emails.join(", ")));
    }
    t.join(" and ")
}

pub fn run(cmd: NotifyCommand, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = super::runtime()?;
    let index = rt.block_on(super::open(&global.db))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let code = match cmd {
        NotifyCommand::Run { mail, delivery } => {
            let d = deliverer(&index, &mail, &delivery)?;
            let s = rt.block_on(d.drain())?;
            writeln!(
                out,
                "Delivered {}, to retry {}, dead {}, cancelled {}.",
                s.delivered, s.retrying, s.dead, s.cancelled
            )?;
            ExitCode::SUCCESS
        }
        NotifyCommand::Preview { breach, json } => {
            let rows = rt.block_on(index.alert_preview(&breach))?;
            if json {
                for r in &rows {
                    serde_json::to_writer(&mut out, r)?;
                    writeln!(out)?;
                }
            } else if rows.is_empty() {
                writeln!(
                    out,
                    "No subscribed domain appears in {breach}: nobody would be alerted."
                )?;
            } else {
                let orgs = {
                    let mut o: Vec<&str> = rows.iter().map(|r| r.organization.as_str()).collect();
                    o.dedup();
                    o.len()
                };
                writeln!(
                    out,
                    "{breach} alerts {} subscribed domains of {orgs} organisations:\n",
                    rows.len()
                )?;
                writeln!(
                    out,
                    "{:<20} {:<28} {:>8} {:>11} {:>9} {:>8}  deliveries",
                    "organisation", "domain", "accounts", "occurrences", "documents", "messages"
                )?;
                for r in &rows {
                    let d: Vec<String> = r
                        .deliveries
                        .iter()
                        .map(|(sub, ch, state)| format!("#{sub} {} {state}", ch.as_str()))
                        .collect();
                    writeln!(
                        out,
                        "{:<20} {:<28} {:>8} {:>11} {:>9} {:>8}  {}",
                        r.organization,
                        r.domain,
                        r.accounts,
                        r.occurrences,
                        r.documents,
                        r.messages,
                        d.join("; ")
                    )?;
                }
            }
            ExitCode::SUCCESS
        }
        NotifyCommand::Release { breach } => {
            let n = rt.block_on(index.release_notifications(&breach))?;
            writeln!(out, "Released {n} held alerts of {breach} for delivery.")?;
            ExitCode::SUCCESS
        }
        NotifyCommand::List {
            state,
            breach,
            limit,
            json,
        } => {
            let rows = rt.block_on(index.notifications(
                state.as_deref(),
                breach.as_deref(),
                limit.max(1),
            ))?;
            print_notifications(&mut out, &rows, json)?;
            ExitCode::SUCCESS
        }
        NotifyCommand::Failed { json } => {
            let rows = rt.block_on(index.notifications(Some("dead"), None, i64::MAX))?;
            if rows.is_empty() && !json {
                writeln!(out, "No dead letters.")?;
            }
            print_notifications(&mut out, &rows, json)?;
            ExitCode::SUCCESS
        }
        NotifyCommand::Retry { ids, all } => {
            let n = if all {
                rt.block_on(index.retry_notifications(None))?
            } else {
                rt.block_on(index.retry_notifications(Some(&ids)))?
            };
            writeln!(out, "Queued {n} dead letters again.")?;
            ExitCode::SUCCESS
        }
    };
    rt.block_on(index.close());
    Ok(code)
}

fn print_notifications(
    out: &mut impl Write,
    rows: &[Notification],
    json: bool,
) -> anyhow::Result<()> {
    for n in rows {
        if json {
            serde_json::to_writer(&mut *out, n)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{:>5}  {:<9} {:<8} {:<24} {:<20} attempts {:<3} {}",
                n.id,
                n.state,
                n.channel.as_str(),
                n.domain,
                n.breach,
                n.attempts,
                n.last_error.as_deref().unwrap_or("")
            )?;
        }
    }
    Ok(())
}
