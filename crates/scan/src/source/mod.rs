//! Sources: files and directories on disk (and stdin), and the containers inside them.

pub mod archive;
pub mod fs;

pub use fs::{walk, Entry, Input};
