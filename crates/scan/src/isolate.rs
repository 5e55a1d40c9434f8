//! Running third-party parsers that may crash, hang or exhaust memory on hostile input
//! (PDF, spreadsheets) where their failure cannot hurt the scan.
//!
//! The parser runs in a *decode worker*: by default a child process (the `leakdex` binary
//! started as `leakdex __decode-worker`, with its address space capped), else a thread.
//! The worker decodes one blob at a time and streams its segments back as frames; the
//! scanning thread forwards them to the detectors, and walks away when the time budget is
//! spent (the child is killed; an abandoned thread is left to finish on its own). A
//! crash — a panic, an abort, a stack overflow, an allocation failure — ends the child,
//! and the blob becomes an `unreadable` entry with the reason. A worker process is
//! reused for the next blob until it fails.
//!
//! Wire format (all integers little-endian). Request: `format:u8 max_segment:u32 len:u64
//! bytes`.
//! Frames back: `S class:u8 place:u8 region:[u8;2] field_len:u16 field text_len:u32 text`
//! (a segment), `K` (done), `U len:u32 reason` (unreadable).

use crate::decode::{self, DecodeError, Sink, Stop};
use crate::segment::{region_of, FieldClass, Place, SegCtx};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Where risky parsers run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Isolation {
    /// In a thread of this process: panics are caught and a hang is abandoned after the
    /// budget, but an abort or stack overflow ends the process. For library use.
    #[default]
    Thread,
    /// In a child process running `exe __decode-worker` (see [`worker_main`]).
    Process {
        /// The executable; the `leakdex` binary passes its own path.
        exe: PathBuf,
    },
}

/// Decode threads alive (thread isolation), abandoned ones included.
static LIVE_THREADS: AtomicUsize = AtomicUsize::new(0);
/// At most this many: the scanning threads' own plus a few abandoned.
const MAX_LIVE_THREADS: usize = 16;

/// The argument that turns the `leakdex` binary into a decode worker.
pub const WORKER_ARG: &str = "__decode-worker";

/// Most address space a worker process may map (its parser's allocations included).
const WORKER_ADDRESS_SPACE: u64 = 6 << 30;

/// Formats decoded in a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// PDF text, page by page.
    Pdf,
    /// Any workbook calamine reads: xlsx, xlsm, xlsb, xls, ods.
    Spreadsheet,
}

impl Format {
    fn to_u8(self) -> u8 {
        match self {
            Format::Pdf => 1,
            Format::Spreadsheet => 2,
        }
    }

    fn from_u8(b: u8) -> Option<Format> {
        match b {
            1 => Some(Format::Pdf),
            2 => Some(Format::Spreadsheet),
            _ => None,
        }
    }

    fn decode(self, data: &[u8], max: usize, sink: &mut dyn Sink) -> Result<(), DecodeError> {
        match self {
            Format::Pdf => decode::pdf::decode(data, max, sink),
            Format::Spreadsheet => decode::sheet::decode(data, max, sink),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Spreadsheet => "spreadsheet",
        }
    }
}

/// A segment as it crosses from the worker.
#[derive(Debug)]
enum Frame {
    Segment {
        class: FieldClass,
        place: Place,
        region: [u8; 2],
        field: String,
        text: String,
    },
    Done,
    Unreadable(String),
}

/// One scanning thread's decode worker.
pub struct Decoder {
    isolation: Isolation,
    child: Option<Worker>,
}

struct Worker {
    child: Child,
    stdin: BufWriter<ChildStdin>,
    frames: Receiver<Frame>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Decoder {
    /// A decoder that starts its worker on first use.
    pub fn new(isolation: Isolation) -> Self {
        Decoder {
            isolation,
            child: None,
        }
    }

    /// Decodes `data` as `format` in the worker, forwarding segments to `sink`; gives up
    /// after `budget`.
    pub fn run(
        &mut self,
        format: Format,
        data: &[u8],
        max: usize,
        budget: Duration,
        sink: &mut dyn Sink,
    ) -> Result<(), DecodeError> {
        let deadline = Instant::now() + budget;
        let frames = match &self.isolation {
            Isolation::Thread => {
                // Abandoned threads (parsers past their budget) keep running: past a few,
                // refuse rather than let them eat every core.
                if LIVE_THREADS.load(Ordering::SeqCst) >= MAX_LIVE_THREADS {
                    return Err(unreadable(
                        "too many parsers still running past their budget (use the worker process)",
                    ));
                }
                let (tx, rx) = crossbeam_channel::bounded(256);
                let data = data.to_vec();
                LIVE_THREADS.fetch_add(1, Ordering::SeqCst);
                std::thread::Builder::new()
                    .name("leakdex-decode".into())
                    .spawn(move || {
                        serve_one(format, &data, max, &tx);
                        LIVE_THREADS.fetch_sub(1, Ordering::SeqCst);
                    })
                    .map_err(|_| {
                        LIVE_THREADS.fetch_sub(1, Ordering::SeqCst);
                        unreadable("could not start a decode thread")
                    })?;
                rx
            }
            Isolation::Process { exe } => {
                let exe = exe.clone();
                self.send(&exe, format, max, data)?
            }
        };
        let r = forward(&frames, format, budget, deadline, sink);
        if r.is_err() && matches!(self.isolation, Isolation::Process { .. }) {
            // A worker that crashed, overran or was interrupted mid-blob is not reused.
            if let Some(mut w) = self.child.take() {
                let _ = w.child.kill();
                let status = w.child.wait().ok();
                if let (Err(DecodeError::Unreadable(reason)), Some(st)) = (&r, status) {
                    if reason.ends_with("worker ended") {
                        return Err(unreadable(&format!(
                            "the {} parser crashed on this input ({})",
                            format.name(),
                            exit_reason(st)
                        )));
                    }
                }
            }
        }
        r
    }

    /// Sends a request to the worker process (started or restarted as needed).
    fn send(
        &mut self,
        exe: &std::path::Path,
        format: Format,
        max: usize,
        data: &[u8],
    ) -> Result<Receiver<Frame>, DecodeError> {
        for attempt in 0..2 {
            if self.child.is_none() {
                self.child = Some(spawn(exe).map_err(|e| {
                    unreadable(&format!("could not start the decode worker: {}", e.kind()))
                })?);
            }
            let Some(w) = self.child.as_mut() else {
                continue;
            };
            let sent = (|| {
                w.stdin.write_all(&[format.to_u8()])?;
                w.stdin
                    .write_all(&(max.min(u32::MAX as usize) as u32).to_le_bytes())?;
                w.stdin.write_all(&(data.len() as u64).to_le_bytes())?;
                w.stdin.write_all(data)?;
                w.stdin.flush()
            })();
            match sent {
                Ok(()) => return Ok(w.frames.clone()),
                // The worker died since its last blob: start a fresh one, once.
                Err(_) if attempt == 0 => self.child = None,
                Err(e) => {
                    self.child = None;
                    return Err(unreadable(&format!(
                        "could not reach the decode worker: {}",
                        e.kind()
                    )));
                }
            }
        }
        Err(unreadable("could not reach the decode worker"))
    }
}

fn unreadable(reason: &str) -> DecodeError {
    DecodeError::Unreadable(reason.to_string())
}

fn exit_reason(st: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = st.signal() {
            return format!("killed by signal {sig}");
        }
    }
    match st.code() {
        Some(c) => format!("exit status {c}"),
        None => "no exit status".into(),
    }
}

/// Forwards frames to `sink` until the worker is done, fails or overruns.
fn forward(
    frames: &Receiver<Frame>,
    format: Format,
    budget: Duration,
    deadline: Instant,
    sink: &mut dyn Sink,
) -> Result<(), DecodeError> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match frames.recv_timeout(left) {
            Ok(Frame::Segment {
                class,
                place,
                region,
                field,
                text,
            }) => {
                let ctx = SegCtx {
                    field: &field,
                    class,
                    place,
                    region: std::str::from_utf8(&region).ok().and_then(region_of),
                };
                sink.segment(&text, &ctx)?;
            }
            Ok(Frame::Done) => return Ok(()),
            Ok(Frame::Unreadable(r)) => return Err(DecodeError::Unreadable(r)),
            Err(RecvTimeoutError::Timeout) => {
                return Err(unreadable(&format!(
                    "the {} parser gave up after {} s (time budget)",
                    format.name(),
                    budget.as_secs_f64()
                )))
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(unreadable(&format!("the {} worker ended", format.name())))
            }
        }
    }
}

fn spawn(exe: &std::path::Path) -> io::Result<Worker> {
    let mut cmd = Command::new(exe);
    cmd.arg(WORKER_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        // A parser's complaints may quote the document: never shown.
        .stderr(Stdio::null())
        .env("LEAKDEX_LOG", "off");
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: only async-signal-safe calls between fork and exec (setrlimit).
        unsafe {
            cmd.pre_exec(|| {
                let lim = libc::rlimit {
                    rlim_cur: WORKER_ADDRESS_SPACE as libc::rlim_t,
                    rlim_max: WORKER_ADDRESS_SPACE as libc::rlim_t,
                };
                libc::setrlimit(libc::RLIMIT_AS, &lim);
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn()?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        return Err(io::Error::other("worker pipes missing"));
    };
    let (tx, rx) = crossbeam_channel::bounded(256);
    std::thread::Builder::new()
        .name("leakdex-decode-reader".into())
        .spawn(move || read_frames(BufReader::with_capacity(64 << 10, stdout), &tx))?;
    Ok(Worker {
        child,
        stdin: BufWriter::with_capacity(64 << 10, stdin),
        frames: rx,
    })
}

/// Reads frames from a worker's stdout until it closes; a frame cut short ends it.
fn read_frames(mut r: impl Read, tx: &Sender<Frame>) {
    while let Ok(f) = read_frame(&mut r) {
        if tx.send(f).is_err() {
            return;
        }
    }
}

fn read_frame(r: &mut impl Read) -> io::Result<Frame> {
    let tag = read_u8(r)?;
    match tag {
        b'S' => {
            let class = FieldClass::from_u8(read_u8(r)?);
            let place = Place::from_u8(read_u8(r)?);
            let mut region = [0u8; 2];
            r.read_exact(&mut region)?;
            let mut n = [0u8; 2];
            r.read_exact(&mut n)?;
            let field = read_string(r, u16::from_le_bytes(n) as usize)?;
            let n = read_u32(r)? as usize;
            let text = read_string(r, n)?;
            Ok(Frame::Segment {
                class,
                place,
                region,
                field,
                text,
            })
        }
        b'K' => Ok(Frame::Done),
        b'U' => {
            let n = read_u32(r)? as usize;
            Ok(Frame::Unreadable(read_string(r, n)?))
        }
        _ => Err(io::Error::new(io::ErrorKind::InvalidData, "bad frame")),
    }
}

fn read_u8(r: &mut impl Read) -> io::Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    Ok(b[0])
}

fn read_u32(r: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_string(r: &mut impl Read, n: usize) -> io::Result<String> {
    let mut v = Vec::new();
    r.take(n as u64).read_to_end(&mut v)?;
    if v.len() != n {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// A sink that turns segments into frames on a channel (thread isolation).
struct ChannelSink<'a>(&'a Sender<Frame>);

impl Sink for ChannelSink<'_> {
    fn segment(&mut self, text: &str, ctx: &SegCtx<'_>) -> Result<(), Stop> {
        self.0
            .send(Frame::Segment {
                class: ctx.class,
                place: ctx.place,
                region: region_bytes(ctx),
                field: ctx.field.to_string(),
                text: text.to_string(),
            })
            .map_err(|_| Stop("the scan stopped listening".into()))
    }
}

fn region_bytes(ctx: &SegCtx<'_>) -> [u8; 2] {
    let code = ctx.region.map(|r| format!("{r:?}")).unwrap_or_default();
    match code.as_bytes() {
        [a, b] => [*a, *b],
        _ => *b"--",
    }
}

fn serve_one(format: Format, data: &[u8], max: usize, tx: &Sender<Frame>) {
    let r = crate::scanner::guard(|| format.decode(data, max, &mut ChannelSink(tx)))
        .unwrap_or_else(|()| {
            Err(unreadable(
                "the parser failed on this input (internal panic caught)",
            ))
        });
    let _ = tx.send(match r {
        Ok(()) => Frame::Done,
        Err(e) => Frame::Unreadable(e.to_string()),
    });
}

/// A sink that writes frames to the worker's stdout.
struct PipeSink<W: Write>(W);

impl<W: Write> Sink for PipeSink<W> {
    fn segment(&mut self, text: &str, ctx: &SegCtx<'_>) -> Result<(), Stop> {
        let field = truncate(ctx.field, u16::MAX as usize);
        let text = truncate(text, u32::MAX as usize);
        let w = &mut self.0;
        (|| -> io::Result<()> {
            w.write_all(&[b'S', ctx.class.to_u8(), ctx.place.to_u8()])?;
            w.write_all(&region_bytes(ctx))?;
            w.write_all(&(field.len() as u16).to_le_bytes())?;
            w.write_all(field.as_bytes())?;
            w.write_all(&(text.len() as u32).to_le_bytes())?;
            w.write_all(text.as_bytes())
        })()
        .map_err(|_| Stop("the scan stopped listening".into()))
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The decode worker's main loop (`leakdex __decode-worker`): reads requests on stdin,
/// answers frames on stdout, until stdin closes. Returns the process exit code.
pub fn worker_main() -> i32 {
    let stdin = io::stdin();
    let mut input = BufReader::with_capacity(64 << 10, stdin.lock());
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 << 10, stdout.lock());
    loop {
        let Ok(tag) = read_u8(&mut input) else {
            return 0;
        };
        let Ok(max) = read_u32(&mut input) else {
            return 0;
        };
        let mut n = [0u8; 8];
        if input.read_exact(&mut n).is_err() {
            return 0;
        }
        let n = u64::from_le_bytes(n);
        let mut data = Vec::new();
        if (&mut input).take(n).read_to_end(&mut data).is_err() || data.len() as u64 != n {
            return 0;
        }
        let r = match Format::from_u8(tag) {
            Some(format) => crate::scanner::guard(|| {
                format.decode(&data, max as usize, &mut PipeSink(&mut out))
            })
            .unwrap_or_else(|()| {
                Err(unreadable(
                    "the parser failed on this input (internal panic caught)",
                ))
            }),
            None => Err(unreadable("unknown format")),
        };
        let end = match r {
            Ok(()) => out.write_all(b"K"),
            Err(e) => {
                let reason = e.to_string();
                out.write_all(b"U")
                    .and_then(|()| out.write_all(&(reason.len() as u32).to_le_bytes()))
                    .and_then(|()| out.write_all(reason.as_bytes()))
            }
        };
        if end.and_then(|()| out.flush()).is_err() {
            return 0;
        }
    }
}
