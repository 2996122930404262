package io.estuary.app;

import io.estuary.core.auth.PasswordFile;
import io.estuary.core.auth.PasswordHashes;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code estuary passwd [-c | -D] [-b] [-H sha512-pbkdf2|sha512] FILE USER [PASSWORD]}: manages a
 * mosquitto-compatible password file as {@code mosquitto_passwd} does (the same options, hashes and
 * exit codes: 0 done, 1 error), so either tool can edit a file the other wrote.
 */
@Command(name = "passwd", mixinStandardHelpOptions = true,
    description = "Manage a mosquitto-compatible password file (authentication.password_file), as mosquitto_passwd.")
final class Passwd implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "-c", description = "create a new password file (overwrites an existing one)")
  boolean create;

  @Option(names = "-D", description = "delete the user")
  boolean delete;

  @Option(names = "-b", description = "batch mode: the password is the last argument")
  boolean batch;

  @Option(names = "-H", description = "hash: sha512-pbkdf2 (default, $7$) or sha512 ($6$, mosquitto 1.x)")
  String hash = "sha512-pbkdf2";

  @Parameters(index = "0", description = "the password file")
  Path file;

  @Parameters(index = "1", description = "the username")
  String user;

  @Parameters(index = "2", arity = "0..1", description = "the password (with -b)")
  String password;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (create && delete) {
      err.println("Error: -c and -D cannot be used together.");
      return 1;
    }
    if (!hash.equals("sha512-pbkdf2") && !hash.equals("sha512")) {
      err.println("Error: Unknown hash type \"" + hash + "\" (sha512-pbkdf2 or sha512).");
      return 1;
    }
    if (user.isEmpty() || user.indexOf(':') >= 0 || user.length() > 65535) {
      err.println("Error: Username must not be empty or contain ':'.");
      return 1;
    }
    if (batch != (password != null) && !delete) {
      err.println(batch ? "Error: -b needs a password argument." : "Error: a password argument needs -b.");
      return 1;
    }
    List<String> lines;
    if (create) {
      lines = new ArrayList<>();
    } else if (Files.isRegularFile(file)) {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } else {
      err.println("Error: Unable to open file " + file + " for reading. No such file or directory.");
      return 1;
    }
    if (delete) {
      List<String> out = PasswordFile.withoutUser(lines, user);
      if (out == null) {
        err.println("Warning: User " + user + " not found in password file.");
        return 1;
      }
      write(out);
      return 0;
    }
    String pw = password != null ? password : prompt(err);
    if (pw == null) {
      return 1;
    }
    write(PasswordFile.withUser(lines, user, hash.equals("sha512") ? PasswordHashes.sha512(pw) : PasswordHashes.pbkdf2(pw)));
    return 0;
  }

  private String prompt(PrintWriter err) {
    Console c = System.console();
    if (c == null) {
      err.println("Error: no terminal to read the password from; use -b.");
      return null;
    }
    char[] a = c.readPassword("Password: ");
    char[] b = c.readPassword("Reenter password: ");
    if (a == null || b == null || !Arrays.equals(a, b)) {
      err.println("Error: Passwords do not match.");
      return null;
    }
    return new String(a);
  }

  private void write(List<String> lines) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    Files.write(tmp, lines, StandardCharsets.UTF_8);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
