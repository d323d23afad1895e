//! JSON output, written atomically (temp file in the target directory, then rename), so a
//! nightly job never picks up half a report.

use super::model::Report;
use std::io::Write;
use std::path::Path;

/// Pretty JSON with a trailing newline.
pub fn to_string(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("report serialises");
    s.push('\n');
    s
}

/// Write `contents` to `path`; `-` means stdout, where a reader that went away
/// (`--output - | head`) is not an error.
///
/// A regular file (or a new one) is replaced atomically (temp file in its directory, then
/// rename), keeping the old file's permissions. A symlink is followed: the file it points to is
/// replaced, the link stays. Anything else (`/dev/null`, a FIFO, a terminal) is written through:
/// renaming over a device node would replace it (as root, `--output /dev/null` replaced
/// `/dev/null`).
pub fn write_atomic(path: &Path, contents: &str) -> std::io::Result<()> {
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        return match out
            .write_all(contents.as_bytes())
            .and_then(|()| out.flush())
        {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            r => r,
        };
    }
    let target = match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
            f.write_all(contents.as_bytes())?;
            return f.flush();
        }
        // An existing file, possibly behind symlinks: replace the file, not the link.
        Ok(_) => std::fs::canonicalize(path)?,
        // A dangling symlink: create the file it names.
        Err(_) if path.is_symlink() => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(path)?;
            f.write_all(contents.as_bytes())?;
            return f.flush();
        }
        Err(_) => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    let old_permissions = std::fs::metadata(&target).ok().map(|m| m.permissions());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A new file gets the usual 0666 less the umask, not tempfile's private 0600.
        builder.permissions(
            old_permissions
                .clone()
                .unwrap_or_else(|| std::fs::Permissions::from_mode(0o666)),
        );
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(contents.as_bytes())?;
    tmp.as_file().sync_all()?;
    if let Some(p) = old_permissions {
        // Exactly the old mode, whatever the umask.
        tmp.as_file().set_permissions(p)?;
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// Check before a long crawl that [`write_atomic`] will be able to write `path`: an existing
/// file or device must be writable, a new file's directory must exist and accept files. Writes
/// nothing into an existing file.
pub fn check_writable(path: &Path) -> Result<(), String> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    let shown = path.display();
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(format!("{shown} is a directory; give a file name")),
        Ok(m) => {
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| format!("cannot write {shown}: {e}"))?;
            if m.is_file() {
                let target = std::fs::canonicalize(path)
                    .map_err(|e| format!("cannot write {shown}: {e}"))?;
                check_dir(&target, &shown.to_string())?;
            }
            Ok(())
        }
        Err(_) => check_dir(path, &shown.to_string()),
    }
}

/// The directory of `file` accepts a new file (the atomic write's temp file).
fn check_dir(file: &Path, shown: &str) -> Result<(), String> {
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!(
            "cannot write {shown}: directory {} does not exist",
            dir.display()
        ));
    }
    tempfile::NamedTempFile::new_in(dir).map(drop).map_err(|e| {
        format!(
            "cannot write {shown}: directory {} does not accept files ({e})",
            dir.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_modes_kept_devices_written_through() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        check_writable(&link).unwrap();
        write_atomic(&link, "new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        // A device is written through, never replaced.
        check_writable(Path::new("/dev/null")).unwrap();
        write_atomic(Path::new("/dev/null"), "x").unwrap();
        assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
        // Unwritable places are found before any crawl.
        assert!(check_writable(&dir.path().join("no/such/dir/r.json"))
            .unwrap_err()
            .contains("does not exist"));
        assert!(check_writable(dir.path())
            .unwrap_err()
            .contains("directory"));
    }
}
