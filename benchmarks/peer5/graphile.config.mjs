// Copied from ../shared/reference/postgraphile-v5/graphile.config.mjs (known to work on the
// benchmark machine with postgraphile@5.1.5 under Node 22); benchmarks/servers.py copies it into
// benchmarks/.peer5 at each run, so that its imports of postgraphile resolve there.
// PostGraphile v5 peer for the kvalitet benchmark (see benchmarks/README.md).
// Env: PG5_DB (database, default kvalitet_bench), PG5_PORT (HTTP port, default 8303),
//      PG5_SOCKET (PostgreSQL socket dir), PG5_PGPORT (PostgreSQL port, for the socket name).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

const db = process.env.PG5_DB ?? "kvalitet_bench";
const socket = process.env.PG5_SOCKET; // the embedded PostgreSQL socket directory
const pgPort = process.env.PG5_PGPORT ?? "5301";

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: `postgres://postgres@/${db}?host=${encodeURIComponent(socket)}&port=${pgPort}`,
      schemas: ["public"],
    }),
  ],
  // v4 ignored indexes by default (orderBy/condition on every column); v5 limits them to indexed
  // columns through this plugin, so turn it off as the v4 preset does (`ignoreIndexes` default).
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  plugins: [
    {
      // Like v4's `--simple-collections both` plus the v4 preset's ordering/condition on every
      // column: each relation as a connection AND as a plain list (kvalitet's assessments are a
      // plain list), and orderBy/condition on unindexed columns too (assessments are read in
      // (created_at, id) order, units filtered on archived_at IS NULL) — what the v4 peer had.
      name: "KvalitetBenchShapesPlugin",
      version: "0.0.0",
      schema: {
        globalBehavior(behavior) {
          return [behavior, "connection", "resource:connection", "list", "resource:list",
                  "condition:attribute:filterBy", "attribute:orderBy"];
        },
      },
    },
  ],
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.PG5_PORT ?? 8303),
    graphiql: false,
    watch: false,
    maxRequestLength: 1_000_000,
  },
  grafast: { explain: false },
};
export default preset;
