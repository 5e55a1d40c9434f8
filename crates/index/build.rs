//! `sqlx::migrate!` embeds the migrations at compile time, but cargo does not know it
//! reads them: without this, a new migration file leaves a stale binary that never
//! applies it (this happened: a release build ran without migration 0007).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
