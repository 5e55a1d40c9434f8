//! Running the service on a socket: plain HTTP or TLS (rustls), with graceful shutdown on
//! Ctrl-C or SIGTERM.
//!
//! Plain HTTP runs **one event loop per core**: [`bind`] opens one listening socket per
//! serving thread on the same address with `SO_REUSEPORT`, so the kernel spreads
//! connections over the threads evenly (a shared listener let one busy thread hold most
//! connections: p99 89 ms in the first experiment, docs/PERFORMANCE.md). Each thread runs a
//! current-thread tokio runtime that serves its connections with no cross-thread wake-ups.
//! Only the k-anonymity range routes — answered from memory, the hot path of every client —
//! are handled on those threads; every other request is handed to the main multi-thread
//! runtime, which owns the database pool, so a slow query never stalls a serving thread.
//! TLS is served from one listener on the main runtime.

use crate::{router, AppState};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;
use tokio::runtime::Handle;

/// A certificate chain and private key, both PEM.
#[derive(Debug, Clone)]
pub struct Tls {
    /// Certificate chain.
    pub cert: PathBuf,
    /// Private key.
    pub key: PathBuf,
}

/// The listening sockets of one server: one per serving thread, all on one address.
#[derive(Debug)]
pub struct Listeners(Vec<TcpListener>);

impl Listeners {
    /// The address every socket is bound to (with `…:0`, the port the system chose).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        match self.0.first() {
            Some(l) => l.local_addr(),
            None => Err(std::io::Error::other("no listening socket")),
        }
    }
}

impl From<TcpListener> for Listeners {
    /// One socket: served by one thread.
    fn from(l: TcpListener) -> Listeners {
        Listeners(vec![l])
    }
}

/// The number of serving threads [`bind`] uses by default: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn reuse_port_socket(addr: SocketAddr) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    #[cfg(unix)]
    socket.set_reuse_port(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// Binds `addr` (`host:port`; port 0 lets the system choose) with `threads` sockets
/// sharing the port (`SO_REUSEPORT`; on systems without it, one socket).
pub fn bind(addr: &str, threads: usize) -> std::io::Result<Listeners> {
    let first = addr
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other("the address resolves to nothing"))?;
    if !cfg!(unix) || threads <= 1 {
        return Ok(Listeners(vec![TcpListener::bind(first)?]));
    }
    let l = reuse_port_socket(first)?;
    // With port 0 the others must join the port the first one got.
    let bound = l.local_addr()?;
    let mut all = vec![l];
    for _ in 1..threads {
        all.push(reuse_port_socket(bound)?);
    }
    Ok(Listeners(all))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// The routes answered on the serving threads themselves: from memory, no database.
fn served_in_place(path: &str) -> bool {
    path.starts_with("/api/v3/breachedaccount/range/") || path.starts_with("/api/v1/range/")
}

/// Hands every request but the in-memory ones to the main runtime.
async fn offload(main: Handle, req: Request, next: Next) -> Response {
    if served_in_place(req.uri().path()) {
        return next.run(req).await;
    }
    /// Cancels the handed-over request when its connection goes away (as a handler
    /// running in place would be), so no work outlives its client or the pool.
    struct AbortOnDrop(tokio::task::JoinHandle<Response>);
    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let mut task = AbortOnDrop(main.spawn(next.run(req)));
    match (&mut task.0).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "a request handler failed");
            crate::ApiError::Internal(e.to_string()).into_response()
        }
    }
}

/// Serves until Ctrl-C or SIGTERM on `listeners`. Must be called on the runtime that owns
/// the index (the main one): the database routes run there.
pub async fn serve(state: AppState, listeners: Listeners, tls: Option<Tls>) -> std::io::Result<()> {
    let addr = listeners.local_addr()?;
    let main = Handle::current();
    state.0.range.run_background_on(main.clone());
    match tls {
        None => {
            let app = router(state).layer(axum::middleware::from_fn(move |req, next| {
                offload(main.clone(), req, next)
            }));
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
            let threads = listeners.0.len();
            for (i, listener) in listeners.0.into_iter().enumerate() {
                let app = app.clone();
                let mut stop = stop_rx.clone();
                let done = done_tx.clone();
                std::thread::Builder::new()
                    .name(format!("leakdex-http-{i}"))
                    .spawn(move || {
                        let result = (|| {
                            let rt = tokio::runtime::Builder::new_current_thread()
                                .enable_all()
                                .build()?;
                            rt.block_on(async move {
                                listener.set_nonblocking(true)?;
                                let listener = tokio::net::TcpListener::from_std(listener)?;
                                axum::serve(
                                    listener,
                                    app.into_make_service_with_connect_info::<SocketAddr>(),
                                )
                                .with_graceful_shutdown(async move {
                                    let _ = stop.wait_for(|s| *s).await;
                                })
                                .await
                            })
                        })();
                        let _ = done.send(result);
                    })?;
            }
            drop(done_tx);
            tracing::info!(%addr, threads, "serving http");
            let mut first_error = None;
            tokio::select! {
                () = shutdown_signal() => {},
                r = done_rx.recv() => {
                    // A serving thread stopped on its own: stop the others too.
                    if let Some(Err(e)) = r {
                        first_error = Some(e);
                    }
                }
            }
            let _ = stop_tx.send(true);
            while let Some(r) = done_rx.recv().await {
                if let (Err(e), None) = (r, &first_error) {
                    first_error = Some(e);
                }
            }
            first_error.map_or(Ok(()), Err)
        }
        Some(tls) => {
            let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
            let listener = listeners
                .0
                .into_iter()
                .next()
                .ok_or_else(|| std::io::Error::other("no listening socket"))?;
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key)
                .await
                .map_err(|e| {
                    std::io::Error::other(format!("cannot load --tls-cert/--tls-key: {e}"))
                })?;
            let handle = axum_server::Handle::new();
            let h = handle.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                h.graceful_shutdown(Some(Duration::from_secs(10)));
            });
            tracing::info!(%addr, "serving https");
            axum_server::from_tcp_rustls(listener, config)?
                .handle(handle)
                .serve(app)
                .await
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_serving_socket_shares_the_port() {
        let l = super::bind("127.0.0.1:0", 3).expect("bind");
        let addr = l.local_addr().expect("addr");
        assert_ne!(addr.port(), 0);
        let ports: Vec<u16> =
            l.0.iter()
                .map(|s| s.local_addr().expect("addr").port())
                .collect();
        assert_eq!(ports, vec![addr.port(); if cfg!(unix) { 3 } else { 1 }]);
        // And the port is really listening.
        std::net::TcpStream::connect(addr).expect("connect");
    }

    #[test]
    fn only_range_routes_stay_on_the_serving_threads() {
        assert!(super::served_in_place(
            "/api/v3/breachedaccount/range/ABCDEF"
        ));
        assert!(super::served_in_place("/api/v1/range/ABCDE"));
        assert!(!super::served_in_place("/api/v3/breachedaccount/a@b.c"));
        assert!(!super::served_in_place("/healthz"));
    }
}
