//! SQL backup scripts: MSSQL (`INSERT [dbo].[T] (…) VALUES (…)` + `GO`), MySQL
//! (extended inserts, backslash escapes) and PostgreSQL (`COPY … FROM stdin`).
//!
//! Only values of INSERT tuples and COPY rows carry findings; DDL and comments never do.

use crate::model::{Model, Person};
use crate::text::Stamp;
use crate::truth::Sub;
use crate::values;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::io::{self, Write};

const NOTES: &[&str] = &[
    "high risk, late payer",
    "VIP, renewal due in Q3",
    "prefers invoices by post",
    "credit limit reviewed",
    "high risk",
    "",
];

/// A phone in a `phone` cell of a row that has a `country` column: national or
/// international, both allowed by the counting rules.
fn phone_cell(p: &Person, rng: &mut ChaCha8Rng) -> String {
    if rng.gen_bool(0.5) {
        p.phone.national.clone()
    } else {
        p.phone.intl.clone()
    }
}

fn mssql(s: &str) -> String {
    format!("N'{}'", s.replace('\'', "''"))
}

fn mysql(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn copy_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out
}

fn amount(rng: &mut ChaCha8Rng) -> String {
    format!("{}.{:02}", rng.gen_range(90..48_000), rng.gen_range(0..100))
}

/// MSSQL script: customers (one row per branch) and invoices.
pub(crate) fn write_mssql(
    w: &mut dyn Write,
    sub: &mut Sub,
    m: &Model,
    rng: &mut ChaCha8Rng,
    invoices: usize,
    start: Stamp,
) -> io::Result<()> {
    writeln!(
        w,
        "USE [CRM]\r\nGO\r\nSET ANSI_NULLS ON\r\nGO\r\nSET QUOTED_IDENTIFIER ON\r\nGO"
    )?;
    writeln!(
        w,
        "/****** Object:  Table [dbo].[Customers]    Script Date: {} ******/\r",
        start.date()
    )?;
    writeln!(
        w,
        "CREATE TABLE [dbo].[Customers](\r\n\t[Id] [int] NOT NULL,\r\n\t[Company] [nvarchar](200) NULL,\r\n\t[Domain] [nvarchar](200) NULL,\r\n\t[Country] [char](2) NULL,\r\n\t[Contact] [nvarchar](200) NULL,\r\n\t[Email] [nvarchar](320) NULL,\r\n\t[Phone] [nvarchar](50) NULL,\r\n\t[Iban] [nvarchar](34) NULL,\r\n\t[Notes] [nvarchar](max) NULL\r\n) ON [PRIMARY]\r\nGO\r\nSET IDENTITY_INSERT [dbo].[Customers] ON\r\nGO\r"
    )?;
    let mut id = 0;
    for o in &m.orgs {
        for (bi, b) in o.branches.iter().enumerate() {
            id += 1;
            let contact = o
                .contacts
                .iter()
                .map(|&c| &m.contacts[c])
                .find(|p| p.branch == bi)
                .unwrap_or(&m.contacts[o.contacts[0]]);
            sub.org(&b.name);
            sub.person(&contact.display);
            sub.email(&contact.email, &contact.domain);
            sub.phone(&contact.phone.e164);
            let iban = match &b.iban {
                Some(ib) => {
                    sub.iban(ib);
                    mssql(ib)
                }
                None => "NULL".into(),
            };
            let note = NOTES[rng.gen_range(0..NOTES.len())];
            let note = if note.is_empty() {
                "NULL".to_string()
            } else {
                mssql(&format!("{note} (O'Neill)"))
            };
            writeln!(
                w,
                "INSERT [dbo].[Customers] ([Id], [Company], [Domain], [Country], [Contact], [Email], [Phone], [Iban], [Notes]) VALUES ({id}, {}, {}, {}, {}, {}, {}, {iban}, {note})\r",
                mssql(&b.name),
                mssql(&b.domain),
                mssql(b.country),
                mssql(&contact.display),
                mssql(&contact.email),
                mssql(&phone_cell(contact, rng)),
            )?;
            if id % 20 == 0 {
                writeln!(w, "GO\r")?;
            }
        }
    }
    writeln!(w, "GO\r\nSET IDENTITY_INSERT [dbo].[Customers] OFF\r\nGO\r")?;
    writeln!(
        w,
        "CREATE TABLE [dbo].[Invoices](\r\n\t[Id] [int] NOT NULL,\r\n\t[InvoiceNo] [nvarchar](20) NOT NULL,\r\n\t[AccountId] [int] NOT NULL,\r\n\t[Amount] [decimal](18, 2) NULL,\r\n\t[Currency] [char](3) NULL,\r\n\t[IssuedOn] [date] NULL,\r\n\t[DueOn] [date] NULL,\r\n\t[Status] [nvarchar](20) NULL,\r\n\t[Comment] [nvarchar](max) NULL\r\n) ON [PRIMARY]\r\nGO\r"
    )?;
    for i in 1..=invoices {
        let issued = Stamp(start.0 - rng.gen_range(0..200) * 1440);
        let due = Stamp(issued.0 + 30 * 1440);
        let status = ["paid", "open", "overdue"][rng.gen_range(0..3)];
        let comment = if status == "overdue" && rng.gen_bool(0.5) {
            mssql("high risk, late payer")
        } else {
            "NULL".into()
        };
        writeln!(
            w,
            "INSERT [dbo].[Invoices] ([Id], [InvoiceNo], [AccountId], [Amount], [Currency], [IssuedOn], [DueOn], [Status], [Comment]) VALUES ({i}, N'INV-2024-{i:06}', {}, CAST({} AS Decimal(18, 2)), N'EUR', '{}', '{}', N'{status}', {comment})\r",
            rng.gen_range(1..=id.max(1)),
            amount(rng),
            issued.date(),
            due.date(),
        )?;
        if i % 100 == 0 {
            writeln!(w, "GO\r")?;
        }
    }
    writeln!(w, "GO\r")?;
    Ok(())
}

/// A contact's cells, escaped once, and its normalised keys.
struct ContactRow {
    display: String,
    email: String,
    national: String,
    intl: String,
    country: String,
    company: String,
    email_key: String,
    domain: String,
    person_key: String,
    org_key: String,
    e164: String,
}

impl ContactRow {
    fn new(p: &Person, m: &Model) -> ContactRow {
        let b = m.branch_of(p);
        ContactRow {
            display: mysql(&p.display),
            email: mysql(&p.email),
            national: mysql(&p.phone.national),
            intl: mysql(&p.phone.intl),
            country: mysql(p.country),
            company: mysql(&b.name),
            email_key: p.email.to_ascii_lowercase(),
            domain: p.domain.clone(),
            person_key: leakdex_core::normalize_person(&p.display),
            org_key: crate::normalize_org(&b.name),
            e164: p.phone.e164.clone(),
        }
    }

    /// Records `n` rows of this contact (a person, an address, a phone, an org each).
    fn record(&self, n: u64, sub: &mut Sub) {
        if n == 0 {
            return;
        }
        sub.person_key(&self.person_key);
        sub.email_key(&self.email_key, &self.domain);
        sub.phone(&self.e164);
        sub.org_key(&self.org_key);
        let more = n - 1;
        sub.raw.persons += more;
        sub.raw.emails += more;
        sub.raw.domains += more;
        sub.raw.phones += more;
        sub.raw.organizations += more;
    }

    /// Appends `(id,…)` to `buf`; the caller records the row.
    fn push(&self, buf: &mut String, id: usize, rng: &mut ChaCha8Rng) {
        let phone = if rng.gen_bool(0.5) {
            &self.national
        } else {
            &self.intl
        };
        let notes = match rng.gen_range(0..4) {
            0 => "'Met at CeBIT.\\nhigh risk, late payer'",
            1 => "'Don\\'t call before 10:00'",
            _ => "NULL",
        };
        let _ = write!(buf, "({id},");
        for cell in [
            &self.display,
            &self.email,
            phone,
            &self.country,
            &self.company,
        ] {
            buf.push_str(cell);
            buf.push(',');
        }
        buf.push_str(notes);
        buf.push(')');
    }
}

/// One MySQL `orders` row (recorded): a card in some rows, a decoy in a few.
fn mysql_order(
    buf: &mut String,
    id: usize,
    cards: &[(String, [String; 3])],
    card_uses: &mut [u64],
    orgs: usize,
    rng: &mut ChaCha8Rng,
    sub: &mut Sub,
) {
    let _ = write!(buf, "({id},'ORD-2024-{id:06}',{},", rng.gen_range(1..=orgs));
    match rng.gen_range(0..20) {
        0..=5 => {
            let k = rng.gen_range(0..cards.len());
            card_uses[k] += 1;
            buf.push_str(&cards[k].1[rng.gen_range(0..3)]);
        }
        6 => {
            let d = values::card_decoy(rng);
            sub.decoy_card(&d);
            let _ = write!(buf, "'{d}'");
        }
        _ => buf.push_str("NULL"),
    }
    let _ = write!(
        buf,
        ",{}.{:02},'EUR','2024-0{}-1{} 0{}:15:00')",
        rng.gen_range(90..48_000),
        rng.gen_range(0..100),
        rng.gen_range(1..10),
        rng.gen_range(0..10),
        rng.gen_range(0..10),
    );
}

const MYSQL_HEAD: &str = "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n-- Host: db01    Database: crm\n-- ------------------------------------------------------\n/*!40101 SET NAMES utf8mb4 */;\n/*!40103 SET TIME_ZONE='+00:00' */;\n";

/// MySQL dump: contacts (cycled `contacts` times over the model), users, orders.
pub(crate) fn write_mysql(
    w: &mut dyn Write,
    sub: &mut Sub,
    m: &Model,
    rng: &mut ChaCha8Rng,
    contacts: usize,
    orders: usize,
    with_users: bool,
) -> io::Result<()> {
    w.write_all(MYSQL_HEAD.as_bytes())?;
    w.write_all(b"\nDROP TABLE IF EXISTS `contacts`;\nCREATE TABLE `contacts` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  `full_name` varchar(200) DEFAULT NULL,\n  `email` varchar(320) DEFAULT NULL,\n  `phone` varchar(50) DEFAULT NULL,\n  `country` char(2) DEFAULT NULL,\n  `company` varchar(200) DEFAULT NULL,\n  `notes` text,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\nLOCK TABLES `contacts` WRITE;\n")?;
    let rows: Vec<ContactRow> = m.contacts.iter().map(|p| ContactRow::new(p, m)).collect();
    let mut uses = vec![0u64; rows.len()];
    let mut buf = String::with_capacity(1 << 14);
    let mut id = 0;
    while id < contacts {
        buf.clear();
        buf.push_str("INSERT INTO `contacts` (`id`,`full_name`,`email`,`phone`,`country`,`company`,`notes`) VALUES ");
        for k in 0..50.min(contacts - id) {
            id += 1;
            if k > 0 {
                buf.push(',');
            }
            let r = (id - 1) % rows.len();
            uses[r] += 1;
            rows[r].push(&mut buf, id, rng);
        }
        buf.push_str(";\n");
        w.write_all(buf.as_bytes())?;
    }
    for (row, &n) in rows.iter().zip(&uses) {
        row.record(n, sub);
    }
    w.write_all(b"UNLOCK TABLES;\n")?;
    if with_users {
        w.write_all(b"\nDROP TABLE IF EXISTS `users`;\nCREATE TABLE `users` (\n  `id` int NOT NULL,\n  `email` varchar(320) NOT NULL,\n  `full_name` varchar(200) DEFAULT NULL,\n  `password_hash` char(60) NOT NULL,\n  `role` varchar(20) DEFAULT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\nLOCK TABLES `users` WRITE;\nINSERT INTO `users` (`id`,`email`,`full_name`,`password_hash`,`role`) VALUES ")?;
        for (i, s) in m.staff.iter().enumerate() {
            sub.email(&s.email, &s.domain);
            sub.person(&s.display);
            let role = if i == 0 { "admin" } else { "sales" };
            write!(
                w,
                "{}({},{},{},{},'{role}')",
                if i > 0 { "," } else { "" },
                i + 1,
                mysql(&s.email),
                mysql(&s.display),
                mysql(&values::bcrypt_hash(rng)),
            )?;
        }
        w.write_all(b";\nUNLOCK TABLES;\n")?;
    }
    w.write_all(b"\nDROP TABLE IF EXISTS `orders`;\nCREATE TABLE `orders` (\n  `id` int NOT NULL,\n  `order_no` varchar(20) NOT NULL,\n  `account_id` int NOT NULL,\n  `card_number` varchar(25) DEFAULT NULL,\n  `amount` decimal(12,2) DEFAULT NULL,\n  `currency` char(3) DEFAULT NULL,\n  `created_at` datetime DEFAULT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\nLOCK TABLES `orders` WRITE;\n")?;
    let cards: Vec<(String, [String; 3])> = m
        .cards
        .iter()
        .map(|c| {
            let shown = [0, 1, 2].map(|s| mysql(&values::format_card(c, s)));
            (c.clone(), shown)
        })
        .collect();
    let mut card_uses = vec![0u64; cards.len()];
    let mut id = 0;
    while id < orders {
        buf.clear();
        buf.push_str("INSERT INTO `orders` (`id`,`order_no`,`account_id`,`card_number`,`amount`,`currency`,`created_at`) VALUES ");
        for k in 0..100.min(orders - id) {
            id += 1;
            if k > 0 {
                buf.push(',');
            }
            mysql_order(&mut buf, id, &cards, &mut card_uses, m.orgs.len(), rng, sub);
        }
        buf.push_str(";\n");
        w.write_all(buf.as_bytes())?;
    }
    for ((clear, _), &n) in cards.iter().zip(&card_uses) {
        if n > 0 {
            sub.card(clear);
            sub.raw.cards += n - 1;
        }
    }
    w.write_all(b"UNLOCK TABLES;\n-- Dump completed\n")?;
    Ok(())
}

/// PostgreSQL dump with COPY blocks: contacts, projects, invoices.
pub(crate) fn write_pg(
    w: &mut dyn Write,
    sub: &mut Sub,
    m: &Model,
    rng: &mut ChaCha8Rng,
    rows: usize,
) -> io::Result<()> {
    w.write_all(b"--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n\nCREATE TABLE public.contacts (\n    id integer NOT NULL,\n    full_name text,\n    email text,\n    phone text,\n    country character(2),\n    company text\n);\n\nCOPY public.contacts (id, full_name, email, phone, country, company) FROM stdin;\n")?;
    for (i, p) in m.contacts.iter().enumerate() {
        let b = m.branch_of(p);
        sub.person(&p.display);
        sub.email(&p.email, &p.domain);
        sub.phone(&p.phone.e164);
        sub.org(&b.name);
        writeln!(
            w,
            "{}\t{}\t{}\t{}\t{}\t{}",
            i + 1,
            copy_field(&p.display),
            p.email,
            phone_cell(p, rng),
            p.country,
            copy_field(&b.name)
        )?;
    }
    w.write_all(b"\\.\n\nCREATE TABLE public.projects (\n    id integer NOT NULL,\n    title text,\n    account_id integer,\n    budget numeric(12,2),\n    start_date date,\n    status text\n);\n\nCOPY public.projects (id, title, account_id, budget, start_date, status) FROM stdin;\n")?;
    for i in 1..=rows {
        let o = rng.gen_range(0..m.orgs.len());
        writeln!(
            w,
            "{i}\t{}\t{}\t{}\t2024-0{}-0{}\t{}",
            copy_field(&format!("Rollout phase {}\n{}", i % 4 + 1, m.orgs[o].base)),
            o + 1,
            amount(rng),
            rng.gen_range(1..10),
            rng.gen_range(1..10),
            ["planned", "running", "done"][i % 3],
        )?;
    }
    w.write_all(b"\\.\n\nCREATE TABLE public.invoices (\n    id integer NOT NULL,\n    invoice_no text,\n    account_id integer,\n    iban text,\n    amount numeric(12,2),\n    due_date date,\n    comment text\n);\n\nCOPY public.invoices (id, invoice_no, account_id, iban, amount, due_date, comment) FROM stdin;\n")?;
    for i in 1..=rows {
        let o = rng.gen_range(0..m.orgs.len());
        let iban = match (&m.orgs[o].branches[0].iban, rng.gen_range(0..3)) {
            (Some(ib), 0) => {
                sub.iban(ib);
                ib.clone()
            }
            (Some(ib), 1) => {
                sub.iban(ib);
                values::iban_grouped(ib)
            }
            _ => "\\N".into(),
        };
        let comment = if i % 7 == 0 {
            "high risk, late payer"
        } else {
            "\\N"
        };
        writeln!(
            w,
            "{i}\tINV-2024-{i:06}\t{}\t{iban}\t{}\t2024-0{}-2{}\t{comment}",
            o + 1,
            amount(rng),
            rng.gen_range(1..10),
            rng.gen_range(0..9),
        )?;
    }
    w.write_all(b"\\.\n\n--\n-- PostgreSQL database dump complete\n--\n")?;
    Ok(())
}
