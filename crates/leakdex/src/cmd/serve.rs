//! `leakdex serve`, `leakdex keys …` and `leakdex audit-log`.

use crate::cli::{AuditLogArgs, Global, KeysCommand, ServeArgs};
use anyhow::Context;
use leakdex_server::{AppState, Config, Tls, VerifyConfig};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

pub fn run(args: ServeArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = super::runtime()?;
    let index = rt.block_on(super::open(&global.db))?;
    let config = Config {
        ip_rpm: args.ip_rpm.max(1),
        request_timeout: Duration::from_secs(args.request_timeout.max(1)),
        verify: VerifyConfig {
            dns_server: args.dns_server,
            smtp_url: args.mail.smtp_url.clone(),
            mail_from: args.mail.mail_from.clone(),
            http_scheme: args.verify_http_scheme,
            http_port: args.verify_http_port,
            http_connect: args.verify_http_connect,
            ttl: Duration::from_secs(args.verify_ttl_hours.max(1) * 3600),
        },
        secure_cookies: args.tls_cert.is_some(),
        ..Config::default()
    };
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(Tls { cert, key }),
        _ => None,
    };
    // Plain HTTP: one serving thread per core, each with its own socket on the port.
    let threads = match (&tls, args.threads) {
        (Some(_), _) => 1,
        (None, 0) => leakdex_server::default_threads(),
        (None, n) => n,
    };
    let listener = leakdex_server::bind(&args.addr, threads)
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    if !global.quiet {
        // Scripts (and tests) read the bound address from this line: with --addr …:0
        // the port is chosen by the system.
        println!("leakdex: serving on {scheme}://{addr} (HIBP v3 API at {scheme}://{addr}/api/v3)");
        std::io::stdout().flush()?;
    }
    if !args.no_alerts {
        let deliverer = super::notify::deliverer(&index, &args.mail, &args.delivery)?;
        // Stopping mid-attempt is safe: the lease expires and the alert is sent again
        // with the same idempotency key.
        rt.spawn(deliverer.run());
    }
    let state = AppState::new(index.clone(), config);
    rt.block_on(leakdex_server::serve(state, listener, tls))
        .context("the server stopped")?;
    rt.block_on(index.close());
    Ok(ExitCode::SUCCESS)
}

pub fn keys(cmd: KeysCommand, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = super::runtime()?;
    let index = rt.block_on(super::open(&global.db))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let code = match cmd {
        KeysCommand::Create { label, rpm } => {
            let (key, rec) = rt.block_on(index.create_key(&label, rpm))?;
            writeln!(out, "{key}")?;
            if !global.quiet {
                eprintln!(
                    "Created key {} ({:?}, {} requests/minute). It is shown only this once: store it now.",
                    rec.id, rec.label, rec.rpm
                );
                eprintln!("Use it as the hibp-api-key header, e.g.");
                eprintln!("  curl -H 'hibp-api-key: {key}' -H 'user-agent: me' http://127.0.0.1:8080/api/v3/subscription/status");
            }
            ExitCode::SUCCESS
        }
        KeysCommand::List { json } => {
            for k in rt.block_on(index.keys())? {
                let domains = rt.block_on(index.verified_domains(k.id))?;
                if json {
                    serde_json::to_writer(
                        &mut out,
                        &serde_json::json!({ "key": k, "verified_domains": domains }),
                    )?;
                    writeln!(out)?;
                } else {
                    let names: Vec<&str> = domains.iter().map(|d| d.domain.as_str()).collect();
                    writeln!(
                        out,
                        "{:>4}  {}…  {:<24} {:>5} rpm  {}{}",
                        k.id,
                        k.prefix,
                        k.label,
                        k.rpm,
                        if names.is_empty() {
                            "-".to_string()
                        } else {
                            names.join(", ")
                        },
                        if k.revoked { "  [revoked]" } else { "" }
                    )?;
                }
            }
            ExitCode::SUCCESS
        }
        KeysCommand::Revoke { id } => {
            if rt.block_on(index.revoke_key(id))? {
                writeln!(
                    out,
                    "Revoked key {id} (servers stop accepting it within 30 seconds)."
                )?;
                ExitCode::SUCCESS
            } else {
                eprintln!("leakdex: no key with id {id} (see `leakdex keys list`)");
                ExitCode::from(1)
            }
        }
        KeysCommand::AddDomain { key_id, domain } => {
            let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
            match leakdex_core::registrable_domain(&d) {
                Some(r) if r == d => {}
                _ => {
                    eprintln!("leakdex: {domain:?} is not a registrable domain (e.g. contoso.de, not mail.contoso.de)");
                    return Ok(ExitCode::from(2));
                }
            }
            if !rt.block_on(index.keys())?.iter().any(|k| k.id == key_id) {
                eprintln!("leakdex: no key with id {key_id} (see `leakdex keys list`)");
                return Ok(ExitCode::from(1));
            }
            rt.block_on(index.add_verified_domain(key_id, &d, "admin"))?;
            writeln!(out, "Key {key_id} may now read {d}'s data.")?;
            ExitCode::SUCCESS
        }
    };
    rt.block_on(index.close());
    Ok(code)
}

pub fn audit_log(args: AuditLogArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = super::runtime()?;
    let index = rt.block_on(super::open(&global.db))?;
    let entries = rt.block_on(index.audit_log(args.domain.as_deref(), args.limit.max(1)))?;
    rt.block_on(index.close());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for e in entries {
        if args.json {
            serde_json::to_writer(&mut out, &e)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{}  key {} ({})  {}  {}",
                e.at, e.key_id, e.key_label, e.domain, e.action
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
