//! Criterion micro-benchmarks of the scanner's stages: each detector over typical
//! segments, and each decoder over a generated input. Run:
//!
//!     cargo bench -p leakdex-scan --bench stages
//!
//! Results are throughputs; compare runs of the same machine only.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use leakdex_scan::decode::{self, Sink, Stop};
use leakdex_scan::detect::{detect, DetectConfig, Findings};
use leakdex_scan::{RegionId, SegCtx};

struct Null(u64);

impl Sink for Null {
    fn segment(&mut self, text: &str, _: &SegCtx<'_>) -> Result<(), Stop> {
        self.0 += text.len() as u64;
        Ok(())
    }
}

fn text_sample() -> String {
    let mut s = String::new();
    for i in 0..2000 {
        s.push_str("lorem ipsum dolor sit amet consectetur adipiscing elit order 2024-03-12 ");
        if i % 5 == 0 {
            s.push_str(&format!("contact user{i}@contoso.de "));
        }
        if i % 50 == 0 {
            s.push_str("Tel: +49 30 12345678 card 4111 1111 1111 1111 ");
        }
        s.push('\n');
    }
    s
}

fn detectors(c: &mut Criterion) {
    let text = text_sample();
    let cfg = DetectConfig {
        default_region: RegionId::US,
    };
    let mut g = c.benchmark_group("detect");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("all detectors, free text", |b| {
        let mut out = Findings::default();
        b.iter(|| {
            out.clear();
            detect(black_box(&text), &SegCtx::text("line"), &cfg, &mut out);
            out.len()
        })
    });
    g.finish();
}

fn decoders(c: &mut Criterion) {
    let mut sql =
        String::from("INSERT INTO `contacts` (`id`,`name`,`email`,`phone`,`country`) VALUES ");
    for i in 0..5000 {
        sql.push_str(&format!(
            "({i},'Zoë O\\'Brien','zoe{i}@contoso.de','+49 30 {:08}','DE'),",
            10_000_000 + i
        ));
    }
    sql.push_str("(0,'x','y','z','DE');\n");
    let mut csv = String::from("name;email;phone;country\n");
    for i in 0..5000 {
        csv.push_str(&format!(
            "\"Pat {i}\";pat{i}@obrien.ie;01 {:07};IE\n",
            1_000_000 + i
        ));
    }
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(sql.len() as u64));
    g.bench_function("sql extended insert", |b| {
        b.iter(|| {
            let mut n = Null(0);
            decode::sql::decode(black_box(sql.as_bytes()), &mut n).ok();
            n.0
        })
    });
    g.throughput(Throughput::Bytes(csv.len() as u64));
    g.bench_function("csv", |b| {
        b.iter(|| {
            let mut n = Null(0);
            decode::csv::decode(black_box(csv.as_bytes()), &mut n).ok();
            n.0
        })
    });
    g.finish();
}

criterion_group!(benches, detectors, decoders);
criterion_main!(benches);
