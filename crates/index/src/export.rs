//! Exports of the index's metadata: accounts × breaches, domains × breaches and
//! organisations × breaches as rows, and k-anonymity range files for static hosting.

use crate::breach::u;
use crate::{Error, Index};
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::Row;

/// One account in one breach.
#[derive(Debug, Clone, Serialize)]
pub struct AccountRow {
    /// The address, lower-cased.
    pub email: String,
    /// Upper-case hex SHA-1 of the address.
    pub sha1: String,
    /// Its registrable domain.
    pub domain: String,
    /// The breach's name.
    pub breach: String,
    /// Raw occurrences of the address in the breach.
    pub occurrences: u64,
}

/// One domain in one breach.
#[derive(Debug, Clone, Serialize)]
pub struct DomainRow {
    /// The registrable domain.
    pub domain: String,
    /// The breach's name.
    pub breach: String,
    /// Unique addresses at the domain.
    pub accounts: u64,
    /// Raw occurrences of those addresses.
    pub occurrences: u64,
    /// Unique documents naming the domain.
    pub documents: u64,
    /// Unique messages naming the domain.
    pub messages: u64,
}

/// One organisation group (its branches' registrable domains) in one breach.
#[derive(Debug, Clone, Serialize)]
pub struct OrgRow {
    /// The normalised organisation key shared by its branch domains (`contoso`).
    pub organization: String,
    /// The breach's name.
    pub breach: String,
    /// How many branch domains the group has in the breach.
    pub branches: u64,
    /// The branch domains, comma-separated, in order.
    pub domains: String,
    /// Unique addresses at all branches (each address has one domain, so this adds up).
    pub accounts: u64,
    /// Raw occurrences of those addresses.
    pub occurrences: u64,
}

impl Index {
    /// Every (account, breach) pair, ordered by address then breach, streamed to `f`.
    pub async fn export_accounts(
        &self,
        mut f: impl FnMut(AccountRow) -> std::io::Result<()>,
    ) -> Result<u64, Error> {
        let sql = format!(
            "SELECT {address} AS email, a.sha1, dn.name, b.name, ab.occurrences \
             FROM account_breach ab JOIN account a ON a.id = ab.account_id \
             JOIN domain_name dn ON dn.id = a.domain_id \
             JOIN breach b ON b.id = ab.breach_id ORDER BY email, b.name",
            address = crate::account::ADDRESS_SQL
        );
        let mut rows = sqlx::query(&sql).fetch(&self.pool);
        let mut n = 0;
        while let Some(r) = rows.try_next().await? {
            f(AccountRow {
                email: r.try_get(0)?,
                sha1: crate::account::upper_hex(&r.try_get::<Vec<u8>, _>(1)?),
                domain: r.try_get(2)?,
                breach: r.try_get(3)?,
                occurrences: u(r.try_get(4)?),
            })
            .map_err(Error::Io)?;
            n += 1;
        }
        Ok(n)
    }

    /// Every (domain, breach) pair, ordered by domain then breach, streamed to `f`.
    pub async fn export_domains(
        &self,
        mut f: impl FnMut(DomainRow) -> std::io::Result<()>,
    ) -> Result<u64, Error> {
        let mut rows = sqlx::query(
            "SELECT dn.name, b.name, d.accounts, d.occurrences, d.documents, d.messages \
             FROM domain_breach d JOIN breach b ON b.id = d.breach_id \
             JOIN domain_name dn ON dn.id = d.domain_id ORDER BY dn.name, b.name",
        )
        .fetch(&self.pool);
        let mut n = 0;
        while let Some(r) = rows.try_next().await? {
            f(DomainRow {
                domain: r.try_get(0)?,
                breach: r.try_get(1)?,
                accounts: u(r.try_get(2)?),
                occurrences: u(r.try_get(3)?),
                documents: u(r.try_get(4)?),
                messages: u(r.try_get(5)?),
            })
            .map_err(Error::Io)?;
            n += 1;
        }
        Ok(n)
    }

    /// Every (organisation group, breach) pair, ordered by organisation then breach,
    /// streamed to `f`.
    pub async fn export_organizations(
        &self,
        mut f: impl FnMut(OrgRow) -> std::io::Result<()>,
    ) -> Result<u64, Error> {
        let mut rows = sqlx::query(
            "SELECT o.org_key, b.name, dn.name, COALESCE(d.accounts, 0), \
                    COALESCE(d.occurrences, 0) \
             FROM org_branch o JOIN breach b ON b.id = o.breach_id \
             JOIN domain_name dn ON dn.id = o.domain_id \
             LEFT JOIN domain_breach d ON d.domain_id = o.domain_id AND d.breach_id = o.breach_id \
             ORDER BY o.org_key, b.name, dn.name",
        )
        .fetch(&self.pool);
        let mut current: Option<OrgRow> = None;
        let mut n = 0;
        while let Some(r) = rows.try_next().await? {
            let organization: String = r.try_get(0)?;
            let breach: String = r.try_get(1)?;
            let domain: String = r.try_get(2)?;
            let accounts = u(r.try_get(3)?);
            let occurrences = u(r.try_get(4)?);
            match &mut current {
                Some(o) if o.organization == organization && o.breach == breach => {
                    o.branches += 1;
                    o.domains.push(',');
                    o.domains.push_str(&domain);
                    o.accounts += accounts;
                    o.occurrences += occurrences;
                }
                _ => {
                    if let Some(o) = current.take() {
                        f(o).map_err(Error::Io)?;
                        n += 1;
                    }
                    current = Some(OrgRow {
                        organization,
                        breach,
                        branches: 1,
                        domains: domain,
                        accounts,
                        occurrences,
                    });
                }
            }
        }
        if let Some(o) = current {
            f(o).map_err(Error::Io)?;
            n += 1;
        }
        Ok(n)
    }

    /// The public k-anonymity view: for each account in a breach that is neither
    /// sensitive nor retired, `(sha1, breach names)`, ordered by SHA-1.
    pub async fn export_range(
        &self,
        mut f: impl FnMut(&str, &[String]) -> std::io::Result<()>,
    ) -> Result<u64, Error> {
        let mut rows = sqlx::query(
            "SELECT a.sha1, b.name FROM account_breach ab JOIN account a ON a.id = ab.account_id \
             JOIN breach b ON b.id = ab.breach_id \
             WHERE b.is_sensitive = 0 AND b.is_retired = 0 \
             ORDER BY substr(a.sha1, 1, 4), a.sha1, b.name",
        )
        .fetch(&self.pool);
        let mut current: Option<(String, Vec<String>)> = None;
        let mut n = 0;
        while let Some(r) = rows.try_next().await? {
            let sha1 = crate::account::upper_hex(&r.try_get::<Vec<u8>, _>(0)?);
            let name: String = r.try_get(1)?;
            match &mut current {
                Some((s, names)) if *s == sha1 => names.push(name),
                _ => {
                    if let Some((s, names)) = current.take() {
                        f(&s, &names).map_err(Error::Io)?;
                        n += 1;
                    }
                    current = Some((sha1, vec![name]));
                }
            }
        }
        if let Some((s, names)) = current {
            f(&s, &names).map_err(Error::Io)?;
            n += 1;
        }
        Ok(n)
    }
}
