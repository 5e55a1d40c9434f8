//! Mail traffic: who writes to whom about what, signatures, threads, and storing each
//! message once per internal recipient.

use super::mime::{address, content_id, hex, render};
use super::{Attachment, Body, Charset, Cte, Msg, Piece, Rendered, Style};
use crate::model::{self, Model, Person};
use crate::out::Out;
use crate::text::{self, Stamp};
use crate::truth::{Kind, Sub};
use crate::values;
use crate::Error;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// Chooses the mail phone spelling of a sender: national after a label only when the
/// sender's domain is on its own country's ccTLD.
fn signature_phone(p: &Person, rng: &mut ChaCha8Rng) -> String {
    if model::country(p.country).national_in_mail && rng.gen_bool(0.6) {
        p.phone.national.clone()
    } else {
        p.phone.intl.clone()
    }
}

fn label_for(p: &Person, rng: &mut ChaCha8Rng) -> &'static str {
    let local: &[&str] = match p.country {
        "DE" | "AT" | "CH" => &["Tel:", "Telefon:"],
        "FR" | "BE" => &["Tél:", "Tel:"],
        "ES" => &["Tfno:", "Tel:"],
        _ => &["Phone:", "Tel:"],
    };
    local[rng.gen_range(0..local.len())]
}

/// The signature block: name, title, phone line and the company line (an org occurrence).
fn signature(b: &mut Body, m: &Model, p: &Person, rng: &mut ChaCha8Rng, org_line: bool) {
    b.line("");
    b.line(if rng.gen_bool(0.5) {
        "Kind regards"
    } else {
        "Best regards"
    });
    b.line(p.display.clone());
    b.line(p.title);
    let label = if p.phone.e164.starts_with("+4917") || p.phone.e164.starts_with("+336") {
        "Mobile:"
    } else {
        label_for(p, rng)
    };
    let shown = signature_phone(p, rng);
    b.t(format!("{label} "))
        .phone(&shown, &p.phone.e164)
        .t("\n");
    if org_line {
        b.push(Piece::OrgLine(m.branch_of(p).name.clone()));
    }
}

/// Mail traffic state: serials, folder counters, threads.
pub(crate) struct Mailer {
    serial: u64,
    folders: BTreeMap<String, u32>,
    threads: BTreeMap<usize, Vec<(String, Body)>>,
    clock: Stamp,
}

fn order_no(rng: &mut ChaCha8Rng) -> String {
    format!("ORD-2024-{:06}", rng.gen_range(1000..99999))
}

fn invoice_no(rng: &mut ChaCha8Rng) -> String {
    format!("INV-2024-{:06}", rng.gen_range(100..999999))
}

impl Mailer {
    pub(crate) fn new(start: Stamp) -> Mailer {
        Mailer {
            serial: 0,
            folders: BTreeMap::new(),
            threads: BTreeMap::new(),
            clock: start,
        }
    }

    fn next_id(&mut self, rng: &mut ChaCha8Rng, host: &str) -> String {
        self.serial += 1;
        if rng.gen_ratio(1, 4) {
            let n = rng.gen_range(10..99);
            format!(
                "AM{n}PR06MB{}{}@AM{n}PR06MB{}.eurprd06.prod.outlook.com",
                rng.gen_range(1000..9999),
                hex(rng, 4),
                rng.gen_range(1000..9999)
            )
        } else {
            format!("{}.{}@{host}", hex(rng, 8).to_lowercase(), hex(rng, 6))
        }
    }

    fn tick(&mut self, rng: &mut ChaCha8Rng) -> Stamp {
        self.clock = Stamp(self.clock.0 + rng.gen_range(7..240));
        self.clock
    }

    /// A CSV of an organisation's contacts, as a mail attachment.
    fn contacts_csv(m: &Model, org: usize) -> Attachment {
        let o = &m.orgs[org];
        let mut sub = Sub::default();
        sub.doc_type("customer_list");
        let mut s = String::from("full_name,email,phone\r\n");
        for &ci in &o.contacts {
            let p = &m.contacts[ci];
            sub.person(&p.display);
            sub.email(&p.email, &p.domain);
            sub.phone(&p.phone.e164);
            s.push_str(&format!("{},{},{}\r\n", p.display, p.email, p.phone.intl));
        }
        let bytes = s.into_bytes();
        sub.seal(Kind::Csv, &bytes);
        Attachment {
            name: format!("contacts-{}.csv", model::fold(&o.base)),
            ctype: "text/csv",
            bytes,
            sub,
            rfc822: false,
        }
    }

    /// A short message from one contact to a colleague, attached as `forwarded.eml`.
    fn forwarded(&mut self, m: &Model, rng: &mut ChaCha8Rng, org: usize) -> Attachment {
        let o = &m.orgs[org];
        let a = &m.contacts[o.contacts[0]];
        let b = &m.contacts[o.contacts[1 % o.contacts.len()]];
        let mut body = Body::default();
        body.line(format!("Hi {},", b.first))
            .line("")
            .t("the vendor contact for the renewal is ")
            .email(&m.staff[org % m.staff.len()])
            .line(" from now on.");
        signature(&mut body, m, a, rng, true);
        let mut subject = Body::default();
        subject.t("Renewal contact");
        let msg = Msg {
            from: a,
            to: vec![b],
            cc: vec![],
            subject,
            date: self.tick(rng),
            id: self.next_id(rng, a.email.rsplit('@').next().unwrap_or("x")),
            in_reply_to: None,
            references: vec![],
            body,
            style: Style::Plain,
            charset: Charset::Utf8,
            cte: Cte::Qp,
            image: None,
            attachments: vec![],
        };
        let r = render(msg, rng, self.serial);
        let bytes = r.bytes(None, None);
        let sub = r.copy_sub(&bytes, None);
        Attachment {
            name: "forwarded.eml".into(),
            ctype: "message/rfc822",
            bytes,
            sub,
            rfc822: true,
        }
    }

    /// Composes and renders one message about organisation `org`. Returns the rendered
    /// message and the staff members who receive it (sender first when outbound).
    pub(crate) fn compose<'m>(
        &mut self,
        m: &'m Model,
        rng: &mut ChaCha8Rng,
        org: usize,
    ) -> (Rendered, Vec<&'m Person>, Option<&'m Person>) {
        let o = &m.orgs[org];
        let owner = &m.staff[org % m.staff.len()];
        let other_staff = &m.staff[(org + 1 + rng.gen_range(0..m.staff.len() - 1)) % m.staff.len()];
        let contact = &m.contacts[o.contacts[rng.gen_range(0..o.contacts.len())]];
        let colleague = &m.contacts[o.contacts[rng.gen_range(0..o.contacts.len())]];
        let foreign_org = (org + 1 + rng.gen_range(0..m.orgs.len().max(2) - 1)) % m.orgs.len();
        let foreign = &m.contacts[m.orgs[foreign_org].contacts[0]];
        let outbound = rng.gen_bool(0.5);
        let web_form = !outbound && rng.gen_ratio(1, 6);
        let date = self.tick(rng);
        let thread = self.threads.entry(org).or_default().clone();
        let reply = !thread.is_empty() && rng.gen_bool(0.5) && !web_form;

        let mut body = Body::default();
        let mut subject = Body::default();
        let mut cc: Vec<&Person> = Vec::new();
        let mut to: Vec<&Person> = Vec::new();
        let from;
        let mut image = None;
        let mut attachments = Vec::new();
        let ord = order_no(rng);
        let inv = invoice_no(rng);

        if reply {
            subject.t("RE: ");
            subject
                .0
                .extend(thread[thread.len() - 1].1 .0.iter().cloned());
        }
        if outbound {
            from = owner;
            to.push(contact);
            if colleague.email != contact.email && rng.gen_bool(0.5) {
                to.push(colleague);
            }
            if rng.gen_bool(0.5) {
                cc.push(other_staff);
            }
            if rng.gen_ratio(1, 4) && foreign.email != contact.email {
                cc.push(foreign);
            }
            if !reply {
                let s = match rng.gen_range(0..4) {
                    0 => format!("Offer {ord} for {}", o.base),
                    1 => "Renewal of your maintenance contract".to_string(),
                    2 => format!("Preisliste 2024 – {}", o.base),
                    _ => format!("Invoice {inv}"),
                };
                subject.t(s);
            }
            body.line(format!("Hello {},", contact.first)).line("");
            body.line(format!(
                "thank you for your time on {}. As discussed, please find our offer {ord} below.",
                date.long_date()
            ));
            if cc.iter().any(|p| p.email == foreign.email) {
                body.t(format!(
                    "I have copied {} who asked for the same figures, at ",
                    foreign.first
                ))
                .email(foreign)
                .line(" if needed.");
            }
            match rng.gen_range(0..5) {
                0 => {
                    body.line(format!(
                        "Invoice {inv} of {} is still open; the total is 12.400,00 €.",
                        date.date()
                    ));
                    let ib = &m.vendor_iban;
                    body.t("Our bank details: IBAN ")
                        .push(Piece::Iban(values::iban_grouped(ib), ib.clone()))
                        .line(", BIC NWSYDEBBXXX.");
                }
                1 => {
                    body.line(
                        "Our developers pinned the client to pkg@1.2.3 and the test system still sends from user@localhost, please ignore those.",
                    );
                    body.push(Piece::DecoyEmail(String::new(), "pkg@1.2.3".into()));
                    body.push(Piece::DecoyEmail(String::new(), "user@localhost".into()));
                }
                2 => {
                    body.t("If anything is unclear, call me on ")
                        .phone(&owner.phone.intl, &owner.phone.e164)
                        .line(" any time.");
                }
                _ => {}
            }
            signature(&mut body, m, owner, rng, true);
            if rng.gen_ratio(1, 3) {
                let cid = content_id(rng);
                body.line(format!("[cid:{cid}]"));
                image = Some(cid);
            }
            if rng.gen_ratio(1, 6) {
                attachments.push(Self::contacts_csv(m, org));
            }
        } else {
            from = contact;
            to.push(owner);
            if rng.gen_bool(0.4) {
                cc.push(other_staff);
            }
            if colleague.email != contact.email && rng.gen_bool(0.4) {
                cc.push(colleague);
            }
            if web_form {
                subject.t("Contact request for ").email(contact);
                body.line("New contact request from the website")
                    .line("")
                    .line(format!("Name: {}", contact.display))
                    .t("E-mail: ")
                    .email(contact)
                    .line("")
                    .t("Phone: ")
                    .phone(&contact.phone.intl, &contact.phone.e164)
                    .line("")
                    .line(format!("Company: {}", o.base))
                    .line("Message: Please send us the current price list.");
            } else {
                if !reply {
                    subject.t(match rng.gen_range(0..3) {
                        0 => format!("Question about {ord}"),
                        1 => format!("Réunion du {}", date.date()),
                        _ => "Billing contact".to_string(),
                    });
                }
                body.line(format!("Hi {},", owner.first)).line("");
                body.t("please update our billing contact to ")
                    .email(colleague)
                    .line(" for all future invoices.");
                match rng.gen_range(0..6) {
                    0 => {
                        body.t("You can reach me directly on ")
                            .phone(&contact.phone.intl, &contact.phone.e164)
                            .line(" until Friday.");
                    }
                    1 => {
                        let card = &m.cards[org % m.cards.len()];
                        body.t("Please charge the renewal to our company card ")
                            .push(Piece::Card(
                                values::format_card(card, rng.gen_range(0..3)),
                                card.clone(),
                            ))
                            .line(" as usual.");
                    }
                    2 => {
                        if let Some(ib) = &m.branch_of(contact).iban {
                            body.t("Our new bank account is ")
                                .push(Piece::Iban(values::iban_grouped(ib), ib.clone()))
                                .line(" from April.");
                            let bad = values::iban_decoy(rng, &ib[..2]);
                            body.t("The old account ")
                                .push(Piece::DecoyIban(values::iban_grouped(&bad), bad))
                                .line(" is closed.");
                        }
                    }
                    3 => {
                        let d = values::card_decoy(rng);
                        body.t("Our customer reference is ")
                            .push(Piece::DecoyCard(d))
                            .line(" (see the portal).");
                        let p = values::phone_decoy(rng);
                        body.t("The old switchboard number was ")
                            .push(Piece::DecoyPhone(p))
                            .line("");
                    }
                    _ => {}
                }
            }
            if reply {
                let prev_from = owner;
                body.line("")
                    .t(format!("On {}, {} <", date.long_date(), prev_from.display))
                    .email(prev_from)
                    .line("> wrote:")
                    .line("> Thanks, we will check and come back to you.");
            }
            if !web_form {
                signature(&mut body, m, contact, rng, true);
            }
            if rng.gen_ratio(1, 12) && !web_form {
                attachments.push(self.forwarded(m, rng, org));
            }
        }

        let latin = body.plain(None);
        let style = if web_form {
            Style::HtmlOnly
        } else if image.is_some() || rng.gen_bool(0.5) {
            Style::Alternative
        } else {
            Style::Plain
        };
        let charset = if text::is_latin1(&latin) && rng.gen_bool(0.4) {
            if latin.contains('€') || rng.gen_bool(0.5) {
                Charset::Cp1252
            } else {
                Charset::Latin1
            }
        } else if !text::is_latin1(&latin) && latin.contains('€') && rng.gen_bool(0.3) {
            Charset::Cp1252
        } else {
            Charset::Utf8
        };
        let cte = match rng.gen_range(0..3) {
            0 => Cte::Eight,
            1 => Cte::Qp,
            _ => Cte::B64,
        };
        let host = from
            .email
            .rsplit('@')
            .next()
            .unwrap_or("x")
            .to_ascii_lowercase();
        let id = self.next_id(rng, &host);
        let references: Vec<String> = thread
            .iter()
            .rev()
            .take(3)
            .rev()
            .map(|t| t.0.clone())
            .collect();
        let in_reply_to = if reply {
            thread.last().map(|t| t.0.clone())
        } else {
            None
        };
        let thread_subject = if reply {
            thread[thread.len() - 1].1.clone()
        } else {
            subject.clone()
        };
        let msg = Msg {
            from,
            to: to.clone(),
            cc: cc.clone(),
            subject,
            date,
            id: id.clone(),
            in_reply_to,
            references: if reply { references } else { vec![] },
            body,
            style,
            charset,
            cte,
            image,
            attachments,
        };
        let r = render(msg, rng, self.serial);
        let t = self.threads.entry(org).or_default();
        t.push((id, thread_subject));
        if t.len() > 4 {
            t.remove(0);
        }
        let mut internal: Vec<&Person> = Vec::new();
        for p in to.iter().chain(cc.iter()) {
            if p.org == usize::MAX && !internal.iter().any(|q| q.email == p.email) {
                internal.push(p);
            }
        }
        let sender = outbound.then_some(from);
        (r, internal, sender)
    }

    fn next_path(&mut self, folder: &str) -> String {
        let n = self.folders.entry(folder.to_owned()).or_insert(0);
        *n += 1;
        format!("{folder}/{:04}.eml", *n)
    }

    /// Stores one message: the sender's Sent copy (with a `Bcc` sometimes) and one copy
    /// per internal recipient's Inbox; a quarter of the messages get a per-recipient
    /// `Received` header, so their copies differ. Returns the path of a copy with the
    /// plain bytes, if one was written.
    pub(crate) fn store(
        &mut self,
        out: &mut Out,
        m: &Model,
        rng: &mut ChaCha8Rng,
        r: &Rendered,
        internal: &[&Person],
        sender: Option<&Person>,
    ) -> Result<Option<String>, Error> {
        let mut plain_path = None;
        let plain = r.bytes(None, None);
        let plain_sub = r.copy_sub(&plain, None);
        let vary = rng.gen_ratio(1, 4);
        if let Some(s) = sender {
            let login = s.email.split('@').next().unwrap_or("x").to_owned();
            let path = self.next_path(&format!("mailboxes/{login}/Sent"));
            if rng.gen_ratio(1, 5) {
                let bcc_person = &m.staff[(self.serial as usize) % m.staff.len()];
                let mut extra = Sub::default();
                let (a, _) = address(bcc_person, rng, &mut extra, true);
                let bytes = r.bytes(None, Some(&format!("Bcc: {a}")));
                let sub = r.copy_sub(&bytes, Some(&extra));
                out.write(&path, &bytes, &sub)?;
            } else {
                out.write(&path, &plain, &plain_sub)?;
                plain_path.get_or_insert(path.clone());
            }
            out.log_from(&path, r.from_name.as_deref());
        }
        for (k, p) in internal.iter().enumerate() {
            let login = p.email.split('@').next().unwrap_or("x").to_owned();
            let path = self.next_path(&format!("mailboxes/{login}/Inbox"));
            if vary {
                let rec = format!(
                    "Received: from mx1.northwind-systems.de (10.0.4.17) by mbox{:02}.northwind-systems.de\r\n\twith LMTP id {}; for <{}>; {}",
                    k + 1,
                    hex(rng, 10),
                    p.email,
                    r.date.rfc2822()
                );
                let bytes = r.bytes(Some(&rec), None);
                let sub = r.copy_sub(&bytes, None);
                out.write(&path, &bytes, &sub)?;
            } else {
                out.write(&path, &plain, &plain_sub)?;
                plain_path.get_or_insert(path.clone());
            }
            out.log_from(&path, r.from_name.as_deref());
        }
        Ok(plain_path)
    }
}

/// Writes `n` messages into the staff mailboxes. Returns one stored copy (path, bytes,
/// unsealed truth) for reuse as an archive member.
pub(crate) fn mailboxes(
    out: &mut Out,
    m: &Model,
    rng: &mut ChaCha8Rng,
    mailer: &mut Mailer,
    n: usize,
) -> Result<Option<(String, Vec<u8>, Sub)>, Error> {
    let mut kept = None;
    for i in 0..n {
        let org = if i < m.orgs.len() {
            i
        } else {
            rng.gen_range(0..m.orgs.len())
        };
        let (r, internal, sender) = mailer.compose(m, rng, org);
        let path = mailer.store(out, m, rng, &r, &internal, sender)?;
        if let (None, Some(path)) = (&kept, path) {
            kept = Some((path, r.bytes(None, None), r.member_sub()));
        }
    }
    Ok(kept)
}

/// Renders `n` messages for an mbox archive; some bodies start a line with `From `.
pub(crate) fn archive_messages(
    m: &Model,
    rng: &mut ChaCha8Rng,
    mailer: &mut Mailer,
    n: usize,
) -> Vec<Rendered> {
    (0..n)
        .map(|_| {
            let org = rng.gen_range(0..m.orgs.len());
            let (mut r, _, _) = mailer.compose(m, rng, org);
            if rng.gen_ratio(1, 3) && !r.headers.iter().any(|h| h.contains("multipart")) {
                // A body line starting with "From " needs mbox escaping; prepend one
                // (only to 7bit/8bit single-part bodies, where it stays literal).
                if r.headers
                    .iter()
                    .any(|h| h.contains(": 7bit") || h.contains(": 8bit"))
                {
                    let mut b = b"From our side everything is ready.\r\n".to_vec();
                    b.extend_from_slice(&r.body);
                    r.body = b;
                }
            }
            r
        })
        .collect()
}
