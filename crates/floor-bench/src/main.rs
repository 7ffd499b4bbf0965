//! `floor-bench`: records the machine (CPU, cores, kernel, date, the
//! disk's raw fdatasync rate), runs the scenarios and prints each result
//! as a JSON line, then the table of every row and the table of floor's
//! performance targets (`targets.rs`), each met, not met or not measured.
//! Run through `scripts/bench`, which builds the release binaries,
//! installs `ws` and pins the processes to their CPUs.

// A benchmark reports on standard output: that is its job.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use floor_bench::machine::{FDATASYNC_SECONDS, Machine};
use floor_bench::report::{self, Row};
use floor_bench::scenario::{self, Plan};
use floor_bench::server::{Kind, Programs};
use floor_bench::targets;

/// The scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Scenario {
    Fanout,
    SlowConsumer,
    Idle,
    IdleRooms,
    DurableWrites,
    Recovery,
    HostileRoom,
    FullRoom,
    RoomCosts,
}

/// floor's benchmark beside B0 (raw tokio-tungstenite) and B1 (Node.js ws).
#[derive(Debug, Parser)]
struct Args {
    /// The reduced run (under 2 minutes).
    #[arg(long)]
    quick: bool,
    /// Scenarios to run (default: all).
    #[arg(long = "scenario", value_enum)]
    scenarios: Vec<Scenario>,
    /// Servers to measure (default: all).
    #[arg(long = "server", value_enum)]
    servers: Vec<Kind>,
    /// The bench-b0 binary.
    #[arg(long, default_value = "target/release/bench-b0")]
    b0: PathBuf,
    /// b1.js.
    #[arg(long, default_value = "crates/floor-bench/node/b1.js")]
    b1: PathBuf,
    /// The node_modules folder holding `ws`.
    #[arg(long, default_value = ".tools/npm/node_modules")]
    node_path: PathBuf,
    /// The CPU the servers are pinned to.
    #[arg(long, default_value_t = 0)]
    server_cpu: u32,
    /// The NATS servers under "floor x2": 1, or 3 (a cluster on loopback,
    /// the stream with 3 replicas).
    #[arg(long, default_value_t = 1)]
    nats_nodes: usize,
    /// Only write the recovery scenario's log (its full size, or the
    /// reduced one with --quick) into this data directory, and stop: for
    /// profiling a start with `perf` or callgrind.
    #[arg(long, value_name = "DIR")]
    generate: Option<PathBuf>,
    /// Also write the JSON lines to this file (the machine's first).
    #[arg(long)]
    json: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if ![1, 3].contains(&args.nats_nodes) {
        anyhow::bail!("--nats-nodes is 1 or 3, not {}", args.nats_nodes);
    }
    if let Some(dir) = &args.generate {
        let (rooms, per_room) = scenario::recovery_size(args.quick);
        let bytes = floor_bench::generate::log(&dir.join("floor.db"), rooms, per_room)?;
        println!(
            "{} events in {rooms} rooms: {bytes} bytes in {}",
            rooms * per_room,
            dir.display()
        );
        return Ok(());
    }
    // The machine first: where every figure below comes from.
    let machine = Machine::measure(FDATASYNC_SECONDS).context("reading the machine")?;
    println!("{}", machine.json());
    println!("{}", machine.line());
    let scenarios = if args.scenarios.is_empty() {
        vec![
            Scenario::Fanout,
            Scenario::SlowConsumer,
            Scenario::Idle,
            Scenario::IdleRooms,
            Scenario::DurableWrites,
            Scenario::Recovery,
            Scenario::HostileRoom,
            Scenario::FullRoom,
            Scenario::RoomCosts,
        ]
    } else {
        args.scenarios.clone()
    };
    let servers = if args.servers.is_empty() {
        vec![Kind::B0, Kind::B1, Kind::Floor, Kind::FloorShared]
    } else {
        args.servers.clone()
    };
    let plan = Plan {
        quick: args.quick,
        servers,
        programs: Programs {
            b0: args.b0.clone(),
            b1: args.b1.clone(),
            node_path: args.node_path.clone(),
            server_cpu: args.server_cpu,
            nats_nodes: args.nats_nodes,
        },
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    let rows = local.block_on(&runtime, async {
        let mut rows: Vec<Row> = Vec::new();
        for s in scenarios {
            let result = match s {
                Scenario::Fanout => scenario::fanout(&plan, &mut rows).await,
                Scenario::SlowConsumer => scenario::slow_consumer(&plan, &mut rows).await,
                Scenario::Idle => scenario::idle(&plan, &mut rows).await,
                Scenario::IdleRooms => scenario::idle_rooms(&plan, &mut rows).await,
                Scenario::DurableWrites => scenario::durable_writes(&plan, &mut rows).await,
                Scenario::Recovery => scenario::recovery(&plan, &mut rows).await,
                Scenario::HostileRoom => floor_bench::hostile::hostile_room(&plan, &mut rows).await,
                Scenario::FullRoom => floor_bench::full_room::full_room(&plan, &mut rows).await,
                Scenario::RoomCosts => floor_bench::room_costs::room_costs(&mut rows),
            };
            result.with_context(|| format!("scenario {s:?}"))?;
        }
        anyhow::Ok(rows)
    })?;
    if let Some(path) = &args.json {
        let lines: Vec<String> = std::iter::once(machine.json().to_string())
            .chain(rows.iter().map(|r| r.json().to_string()))
            .collect();
        std::fs::write(path, lines.join("\n") + "\n")?;
    }
    println!();
    print!("{}", report::table(&rows));
    println!();
    println!("{}", machine.line());
    print!(
        "{}",
        targets::table(&targets::evaluate(&targets::targets(), &rows))
    );
    Ok(())
}
