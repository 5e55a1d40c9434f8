//! Decoders: one file per format, each turning a document's bytes into text segments
//! (with context) pushed into a [`Sink`]. Decoders never panic on input and never buffer
//! more than one record, tuple or message at a time beyond the input slice itself.

pub mod csv;
pub mod html;
pub mod json;
pub mod mail;
pub mod msg;
pub mod ooxml;
pub mod pdf;
pub mod rtf;
pub mod sheet;
pub mod sql;
pub mod text;

use crate::segment::SegCtx;
use std::fmt;

/// Receives segments. Returning `Err` stops the decoder (e.g. the time budget is spent).
pub trait Sink {
    /// One segment of text with its context.
    fn segment(&mut self, text: &str, ctx: &SegCtx<'_>) -> Result<(), Stop>;
}

/// Why a sink stopped a decoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop(pub String);

/// Why a document could not be (fully) decoded. Whatever was emitted before still counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The input is not what its type promised.
    Unreadable(String),
    /// The sink stopped decoding.
    Stopped(String),
}

impl From<Stop> for DecodeError {
    fn from(s: Stop) -> Self {
        DecodeError::Stopped(s.0)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Unreadable(r) | DecodeError::Stopped(r) => f.write_str(r),
        }
    }
}

/// A blob nested in a document (an e-mail attachment), decoded after its parent.
#[derive(Debug)]
pub struct Child {
    /// The name to append to the parent's logical path.
    pub name: String,
    /// Its bytes.
    pub data: Vec<u8>,
}

/// Bytes as text: UTF-8 when valid, else Windows-1252 (see `docs/counting.md`).
pub fn bytes_to_text(b: &[u8]) -> std::borrow::Cow<'_, str> {
    // simdutf8's validation (AVX2/SSE4.2, picked at run time) is several times the
    // standard library's on the ASCII-heavy text most segments are; only the verdict is
    // needed here.
    match simdutf8::basic::from_utf8(b) {
        Ok(s) => s.into(),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(b).0,
    }
}

/// A sink that collects segments, for tests and golden files.
#[derive(Debug, Default)]
pub struct Collect(pub Vec<(String, String)>);

impl Sink for Collect {
    fn segment(&mut self, text: &str, ctx: &SegCtx<'_>) -> Result<(), Stop> {
        self.0.push((ctx.field.to_string(), text.to_string()));
        Ok(())
    }
}

#[cfg(test)]
mod office_tests;
