package io.estuary.lua.db;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;

/**
 * The four servers the database modules are tested against, each {@link DatabaseServer#init started} on a free
 * loopback port: PostgreSQL (initdb + pg_ctl, as the {@code postgres} user when run as root, user {@code vmq}
 * with SCRAM password auth, pgcrypto available), MariaDB (mariadb-install-db + mariadbd, user {@code vmq}
 * created by an init file, database {@code vmq}), Redis (with {@code requirepass}) and memcached.
 */
final class DatabaseServers {
  private DatabaseServers() {}

  static Postgres postgres() throws Exception {
    Postgres s = new Postgres();
    s.init();
    return s;
  }

  static MariaDb mariadb() throws Exception {
    MariaDb s = new MariaDb();
    s.init();
    return s;
  }

  static Redis redis() throws Exception {
    Redis s = new Redis();
    s.init();
    return s;
  }

  static Memcached memcached() throws Exception {
    Memcached s = new Memcached();
    s.init();
    return s;
  }

  /** The module defaults ({@code plugins.lua.<module>.*}) that point a module at {@code server}. */
  static Map<String, String> moduleConfig(String module, DatabaseServer server, String database) {
    return Map.of(module + ".host", "127.0.0.1", module + ".port", String.valueOf(server.port()),
        module + ".user", DatabaseServer.USER, module + ".password", DatabaseServer.PASSWORD,
        module + ".database", database, module + ".timeout", "2s", module + ".pool_size", "2");
  }

  static final class Postgres extends DatabaseServer {
    private final String bin;

    Postgres() {
      super("pg");
      bin = pgBin();
    }

    private static String pgBin() {
      File[] versions = new File("/usr/lib/postgresql").listFiles();
      if (versions != null) {
        return Arrays.stream(versions).map(v -> new File(v, "bin"))
            .filter(b -> new File(b, "initdb").canExecute())
            .max(Comparator.comparing(File::getName)).map(File::getPath)
            .orElseGet(() -> binary("PostgreSQL (Debian package postgresql)", "/usr/lib/postgresql/bin/initdb"));
      }
      return new File(binary("PostgreSQL (Debian package postgresql)", "/usr/bin/initdb")).getParent();
    }

    @Override
    void init() throws Exception {
      Files.writeString(dir.resolve("pw"), PASSWORD + "\n");
      if (isRoot()) {
        run(dir.resolve("chown.log"), "chown", "-R", "postgres:postgres", dir.toString());
      }
      run(dir.resolve("initdb.log"), as("postgres", bin + "/initdb", "-D", dir.resolve("data").toString(), "-U", USER,
          "--pwfile=" + dir.resolve("pw"), "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"));
      start();
    }

    @Override
    void start() throws Exception {
      run(dir.resolve("pg_ctl-start.log"), as("postgres", bin + "/pg_ctl", "-D", dir.resolve("data").toString(),
          "-l", dir.resolve("postgres.log").toString(), "-w", "-t", "60", "-o",
          "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB"
              + " -c max_connections=40 -c shared_preload_libraries=pg_stat_statements", "start"));
    }

    @Override
    void stop() throws Exception {
      if (Files.exists(dir.resolve("data/postmaster.pid"))) {
        run(dir.resolve("pg_ctl-stop.log"), as("postgres", bin + "/pg_ctl", "-D", dir.resolve("data").toString(),
            "-m", "fast", "-w", "-t", "60", "stop"));
      }
    }

    Connection connect() throws Exception {
      return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, PASSWORD);
    }
  }

  static final class MariaDb extends DatabaseServer {
    private final String installDb = binary("MariaDB (Debian package mariadb-server)", "/usr/bin/mariadb-install-db",
        "/usr/bin/mysql_install_db");
    private final String server = binary("MariaDB (Debian package mariadb-server)", "/usr/sbin/mariadbd",
        "/usr/sbin/mysqld");

    MariaDb() {
      super("mariadb");
    }

    @Override
    void init() throws Exception {
      String user = System.getProperty("user.name");
      run(dir.resolve("install-db.log"), installDb, "--no-defaults", "--datadir=" + dir.resolve("data"),
          "--user=" + user, "--auth-root-authentication-method=normal", "--skip-test-db");
      Files.writeString(dir.resolve("init.sql"), """
          CREATE DATABASE IF NOT EXISTS vmq;
          CREATE USER IF NOT EXISTS 'vmq'@'127.0.0.1' IDENTIFIED BY '%s';
          GRANT ALL ON vmq.* TO 'vmq'@'127.0.0.1';
          """.formatted(PASSWORD));
      start();
    }

    @Override
    void start() throws Exception {
      spawn("mariadbd.log", server, "--no-defaults", "--datadir=" + dir.resolve("data"), "--port=" + port,
          "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"), "--pid-file=" + dir.resolve("mysqld.pid"),
          "--user=" + System.getProperty("user.name"), "--skip-name-resolve", "--skip-log-bin",
          "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M", "--init-file=" + dir.resolve("init.sql"));
      awaitPort();
    }

    Connection connect() throws Exception {
      return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/vmq", USER, PASSWORD);
    }
  }

  static final class Redis extends DatabaseServer {
    private final String server = binary("Redis (Debian package redis-server)", "/usr/bin/redis-server");

    Redis() {
      super("redis");
    }

    @Override
    void init() throws Exception {
      start();
    }

    @Override
    void start() throws Exception {
      spawn("redis.log", server, "--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
          "--save", "", "--appendonly", "no", "--requirepass", PASSWORD, "--daemonize", "no");
      awaitPort();
    }
  }

  static final class Memcached extends DatabaseServer {
    private final String server = binary("memcached (Debian package memcached)", "/usr/bin/memcached");

    Memcached() {
      super("memcached");
    }

    @Override
    void init() throws Exception {
      start();
    }

    @Override
    void start() throws Exception {
      if (isRoot()) {
        spawn("memcached.log", server, "-l", "127.0.0.1", "-p", String.valueOf(port), "-U", "0", "-m", "16", "-u", "root");
      } else {
        spawn("memcached.log", server, "-l", "127.0.0.1", "-p", String.valueOf(port), "-U", "0", "-m", "16");
      }
      awaitPort();
    }
  }
}
