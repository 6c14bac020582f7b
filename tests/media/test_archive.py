"""Bulk sources for the DAM: hostile zip archives and folders, read one safe file at a time."""

import io
import os
import pickle
import stat
import unicodedata
import zipfile

import pytest

from dam.archive import ArchiveError, Entry, Limits, check_name, iter_directory, open_zip

JPEG = b"\xff\xd8\xff\xe0" + b"fake jpeg " * 100


def make_zip(path, members, compression=zipfile.ZIP_DEFLATED):
    """A zip at ``path`` from ``(name or ZipInfo, data)`` pairs."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for member, data in members:
            if isinstance(member, zipfile.ZipInfo):
                member.compress_type = compression
            archive.writestr(member, data)
    return path


def patch(path, old: bytes, new: bytes, count=-1):
    """Replace bytes in a file (same length, so every offset stays right)."""
    assert len(old) == len(new)
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, count))


def patch_headers(path, local_offset: int, central_offset: int, value: bytes):
    """Overwrite a field of the (single) local header and central directory record."""
    data = bytearray(path.read_bytes())
    local = data.index(b"PK\x03\x04") + local_offset
    central = data.index(b"PK\x01\x02") + central_offset
    data[local : local + len(value)] = value
    data[central : central + len(value)] = value
    path.write_bytes(bytes(data))


def info(name, mode=None):
    member = zipfile.ZipInfo(name)
    if mode is not None:
        member.external_attr = mode << 16
    return member


def read_all(path, **kwargs):
    """``(name, content or None, error)`` of every entry, content read while it exists."""
    with open_zip(path, **kwargs) as entries:
        return [
            (entry.name, entry.path.read_bytes() if entry.path else None, entry.error)
            for entry in entries
        ]


def errors_of(rows):
    return {name: error for name, _, error in rows if error}


def archive_error(path, **kwargs) -> ArchiveError:
    with pytest.raises(ArchiveError) as caught:
        read_all(path, **kwargs)
    return caught.value


@pytest.fixture
def workdir(tmp_path):
    folder = tmp_path / "parent" / "work"
    folder.mkdir(parents=True)
    return folder


# --- safe archives ---------------------------------------------------------------------------


def test_entries_are_extracted_one_by_one_with_names_and_sizes(tmp_path, workdir):
    path = make_zip(
        tmp_path / "shoot.zip",
        [("photos/", b""), ("photos/TS-01_front.jpg", JPEG), ("readme.txt", b"hello")],
    )
    with open_zip(path, workdir=workdir) as entries:
        rows = [(e.name, e.size, e.error, e.path.read_bytes()) for e in entries]
    assert rows == [
        ("photos/TS-01_front.jpg", len(JPEG), None, JPEG),
        ("readme.txt", 5, None, b"hello"),
    ]


def test_previous_temp_file_is_deleted_when_the_consumer_moves_on(tmp_path, workdir):
    path = make_zip(tmp_path / "a.zip", [("one.jpg", JPEG), ("two.png", b"png")])
    with open_zip(path, workdir=workdir) as entries:
        first = next(entries)
        assert first.path.exists() and first.path.suffix == ".jpg"
        assert first.path.parent.parent == workdir
        second = next(entries)
        assert not first.path.exists()
        assert second.path.read_bytes() == b"png" and second.path.suffix == ".png"
        assert [p.name for p in second.path.parent.iterdir()] == [second.path.name]
        assert next(entries, None) is None
        assert not second.path.exists()
    assert list(workdir.iterdir()) == []


def test_temp_folder_is_removed_when_the_consumer_raises_midway(tmp_path, workdir):
    path = make_zip(tmp_path / "a.zip", [("one.jpg", JPEG), ("two.jpg", JPEG)])
    with (
        pytest.raises(RuntimeError, match="consumer failed"),
        open_zip(path, workdir=workdir) as entries,
    ):
        entry = next(entries)
        assert entry.path.exists()
        raise RuntimeError("consumer failed")
    assert list(workdir.iterdir()) == []
    assert not entry.path.exists()


def test_temp_folder_is_removed_when_the_consumer_stops_early(tmp_path):
    path = make_zip(tmp_path / "a.zip", [("one.jpg", JPEG), ("two.jpg", JPEG)])
    with open_zip(path) as entries:
        entry = next(entries)
        folder = entry.path.parent
        assert folder.is_dir()
    assert not folder.exists()
    assert next(entries, None) is None  # the iterator is finished once the archive is closed


def test_nested_zips_are_ordinary_files(tmp_path):
    inner = make_zip(tmp_path / "inner.zip", [("deep.jpg", JPEG)]).read_bytes()
    path = make_zip(tmp_path / "outer.zip", [("inner.zip", inner), ("top.jpg", JPEG)])
    assert read_all(path) == [("inner.zip", inner, None), ("top.jpg", JPEG, None)]


def test_stored_bzip2_and_lzma_entries_are_read(tmp_path):
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        path = make_zip(tmp_path / f"{method}.zip", [("a.jpg", JPEG)], compression=method)
        assert read_all(path) == [("a.jpg", JPEG, None)]


def test_unicode_names_are_kept_utf8_flag_cp437_and_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "robe-été.jpg")
    path = make_zip(tmp_path / "u.zip", [("café/naïve.jpg", b"1"), (nfd, b"2"), ("caf?.jpg", b"3")])
    patch(path, b"caf?.jpg", b"caf\x82.jpg")  # no UTF-8 flag: cp437, where 0x82 is "é"
    names = [name for name, _, _ in read_all(path)]
    assert names == ["café/naïve.jpg", "robe-été.jpg", "café.jpg"]


def test_windows_backslashes_and_dot_segments_are_normalised(tmp_path):
    path = make_zip(tmp_path / "w.zip", [("shoot\\TS-01.jpg", JPEG), ("./a//b.jpg", b"b")])
    assert [name for name, _, _ in read_all(path)] == ["shoot/TS-01.jpg", "a/b.jpg"]


# --- hostile entries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "shown", "reason"),
    [
        ("../evil.jpg", "../evil.jpg", "path leads outside the archive"),
        ("a/../../b.jpg", "a/../../b.jpg", "path leads outside the archive"),
        ("..\\..\\evil.jpg", "../../evil.jpg", "path leads outside the archive"),
        ("a/../b.jpg", "a/../b.jpg", "path contains a '..' segment"),
        ("/etc/passwd", "/etc/passwd", "path is absolute"),
        ("C:\\evil.jpg", "C:/evil.jpg", "path is absolute"),
        ("c:evil.jpg", "c:evil.jpg", "path is absolute"),
        ("\\\\server\\share\\x.jpg", "//server/share/x.jpg", "path is absolute"),
        ("a\nb.jpg", "a?b.jpg", "name contains control characters"),
    ],
)
def test_hostile_names_are_refused_and_safe_entries_still_extracted(
    tmp_path, workdir, monkeypatch, member, shown, reason
):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    path = make_zip(tmp_path / "parent" / "hostile.zip", [(member, b"evil"), ("ok.jpg", JPEG)])
    before = sorted(p.name for p in tmp_path.rglob("*"))
    rows = read_all(path, workdir=workdir)
    assert rows == [(shown, None, f"{shown}: {reason}; skipped"), ("ok.jpg", JPEG, None)]
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written anywhere
    assert list(workdir.iterdir()) == [] and list(cwd.iterdir()) == []


def test_nul_byte_in_a_name_is_refused(tmp_path):
    path = make_zip(tmp_path / "nul.zip", [("aXb.jpg", b"x"), ("ok.jpg", JPEG)])
    patch(path, b"aXb.jpg", b"a\x00b.jpg")
    rows = read_all(path)
    assert rows == [
        ("a\\x00b.jpg", None, "a\\x00b.jpg: name contains a NUL byte; skipped"),
        ("ok.jpg", JPEG, None),
    ]


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        (stat.S_IFLNK | 0o777, "symbolic link"),
        (stat.S_IFCHR | 0o666, "not a regular file (device, pipe or socket)"),
        (stat.S_IFBLK | 0o666, "not a regular file (device, pipe or socket)"),
        (stat.S_IFIFO | 0o666, "not a regular file (device, pipe or socket)"),
        (stat.S_IFSOCK | 0o666, "not a regular file (device, pipe or socket)"),
    ],
)
def test_links_and_special_files_are_refused(tmp_path, workdir, mode, reason):
    members = [
        (info("link.jpg", mode), b"/etc/passwd"),
        (info("ok.jpg", stat.S_IFREG | 0o644), JPEG),
    ]
    path = make_zip(tmp_path / "links.zip", members)
    rows = read_all(path, workdir=workdir)
    assert rows == [("link.jpg", None, f"link.jpg: {reason}; skipped"), ("ok.jpg", JPEG, None)]


def test_encrypted_entries_are_refused(tmp_path):
    path = make_zip(tmp_path / "secret.zip", [("secret.jpg", JPEG)])
    patch_headers(path, 6, 8, b"\x01\x00")  # general purpose flags: encrypted
    assert read_all(path) == [
        ("secret.jpg", None, "secret.jpg: password-protected; skipped"),
    ]


def test_unsupported_compression_methods_are_refused(tmp_path):
    path = make_zip(tmp_path / "ppmd.zip", [("a.jpg", JPEG)])
    patch_headers(path, 8, 10, b"\x62\x00")  # method 98: PPMd
    assert read_all(path) == [
        ("a.jpg", None, "a.jpg: compressed with an unsupported method (ppmd); skipped"),
    ]


def test_directories_and_os_junk_are_skipped_silently(tmp_path):
    members = [
        ("__MACOSX/", b""),
        ("__MACOSX/photos/._TS-01.jpg", b"resource fork"),
        ("photos/._TS-01.jpg", b"resource fork"),
        ("photos/.DS_Store", b"finder"),
        ("photos/Thumbs.db", b"windows"),
        (".git/config", b"[core]"),
        (info("folder-by-mode", stat.S_IFDIR | 0o755), b""),
        ("photos/TS-01.jpg", JPEG),
    ]
    assert read_all(make_zip(tmp_path / "mac.zip", members)) == [("photos/TS-01.jpg", JPEG, None)]


def test_repeated_names_are_refused_after_the_first(tmp_path):
    with pytest.warns(UserWarning, match="Duplicate name"):
        path = make_zip(tmp_path / "dup.zip", [("a.jpg", b"first"), ("a.jpg", b"second")])
    rows = read_all(path)
    assert rows == [
        ("a.jpg", b"first", None),
        ("a.jpg", None, "a.jpg: appears more than once in the archive; skipped"),
    ]


def test_damaged_entry_data_is_refused_and_others_still_read(tmp_path):
    path = make_zip(
        tmp_path / "damaged.zip", [("bad.jpg", b"A" * 5000), ("ok.jpg", JPEG)], zipfile.ZIP_STORED
    )
    patch(path, b"A" * 100, b"B" * 100, count=1)  # CRC no longer matches
    rows = read_all(path)
    assert rows[0][0] == "bad.jpg" and rows[0][1] is None
    assert rows[0][2].startswith("bad.jpg: is damaged (") and "CRC" in rows[0][2]
    assert rows[1] == ("ok.jpg", JPEG, None)


def test_declared_size_smaller_than_the_data_is_caught(tmp_path, workdir):
    path = make_zip(tmp_path / "liar.zip", [("liar.jpg", b"A" * 5000)], zipfile.ZIP_STORED)
    patch_headers(path, 22, 24, (10).to_bytes(4, "little"))  # uncompressed size: 10 bytes
    [(name, content, error)] = read_all(path, workdir=workdir)
    assert content is None and error.startswith("liar.jpg: is damaged (")
    assert list(workdir.iterdir()) == []


# --- sizes and bombs -------------------------------------------------------------------------


def test_ratio_bomb_is_refused_before_extraction(tmp_path, workdir):
    path = make_zip(tmp_path / "bomb.zip", [("bomb.jpg", bytes(4 * 1024 * 1024)), ("ok.jpg", JPEG)])
    rows = read_all(path, workdir=workdir)
    assert rows[0][:2] == ("bomb.jpg", None)
    assert rows[0][2].startswith("bomb.jpg: is compressed ")
    assert rows[0][2].endswith("more than the limit of 200; it looks like a zip bomb; skipped")
    assert rows[1] == ("ok.jpg", JPEG, None)


def test_entry_declared_larger_than_max_file_bytes_is_refused(tmp_path):
    path = make_zip(tmp_path / "big.zip", [("big.jpg", JPEG), ("small.jpg", b"s")])
    rows = read_all(path, limits=Limits(max_file_bytes=100))
    assert rows == [
        (
            "big.jpg",
            None,
            f"big.jpg: is {len(JPEG)} bytes, more than the limit of 100 per file; skipped",
        ),
        ("small.jpg", b"s", None),
    ]


def test_too_many_entries_refuse_the_archive_before_extracting(tmp_path, workdir):
    path = make_zip(tmp_path / "many.zip", [(f"{i}.jpg", b"x") for i in range(4)])
    error = archive_error(path, limits=Limits(max_entries=3), workdir=workdir)
    assert str(error) == (
        'The archive "many.zip" has 4 entries, more than the limit of 3. '
        "Split it into smaller archives and upload them one by one."
    )
    assert list(workdir.iterdir()) == []


def test_declared_total_over_the_limit_refuses_the_archive(tmp_path, workdir):
    path = make_zip(tmp_path / "huge.zip", [("a.jpg", JPEG), ("b.jpg", JPEG)])
    error = archive_error(
        path, limits=Limits(max_total_bytes=1500), workdir=workdir, name="upload.zip"
    )
    total = 2 * len(JPEG)
    assert str(error).startswith(
        f'The archive "upload.zip" would unpack to {total} bytes, more than the limit of 1500.'
    )
    assert list(workdir.iterdir()) == []


@pytest.fixture
def lying_archive(monkeypatch):
    """Make members named ``lie*`` produce 3000 bytes whatever their headers declare."""
    real_open = zipfile.ZipFile.open

    def open_member(self, member, mode="r", *args, **kwargs):
        if mode == "r" and member.filename.startswith("lie"):  # writestr opens with "w"
            return io.BytesIO(b"L" * 3000)
        return real_open(self, member, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_member)


def test_real_bytes_are_counted_against_max_file_bytes(tmp_path, workdir, lying_archive):
    path = make_zip(tmp_path / "lie.zip", [("lie.jpg", b"small"), ("ok.jpg", b"ok")])
    with open_zip(path, limits=Limits(max_file_bytes=2000), workdir=workdir) as entries:
        lie = next(entries)
        assert lie.path is None
        assert lie.error == "lie.jpg: is 3000 bytes, more than the limit of 2000 per file; skipped"
        [folder] = workdir.iterdir()
        assert list(folder.iterdir()) == []  # the partial file is gone
        assert next(entries).path.read_bytes() == b"ok"


def test_real_bytes_are_counted_against_max_total_bytes(tmp_path, workdir, lying_archive):
    path = make_zip(
        tmp_path / "lie.zip", [("ok.jpg", b"ok"), ("lie1.jpg", b"a"), ("lie2.jpg", b"b")]
    )
    limits = Limits(max_total_bytes=5000)
    with open_zip(path, limits=limits, workdir=workdir, name="shoot.zip") as entries:
        assert next(entries).name == "ok.jpg"
        assert next(entries).path.read_bytes() == b"L" * 3000
        with pytest.raises(ArchiveError) as caught:
            next(entries)
        [folder] = workdir.iterdir()
        assert list(folder.iterdir()) == []  # the previous file and the partial one are gone
    assert str(caught.value) == (
        'The archive "shoot.zip" unpacks to more than 5000 bytes, the limit, although it '
        "declares less (at lie2.jpg); it looks like a zip bomb."
    )
    assert list(workdir.iterdir()) == []


# --- not a (whole) zip -----------------------------------------------------------------------


def test_files_that_are_not_zips_are_refused(tmp_path):
    path = tmp_path / "photo.zip"
    path.write_bytes(JPEG)
    error = archive_error(path)
    assert str(error) == (
        'The archive "photo.zip" is not a zip archive, or it is damaged (File is not a zip '
        "file). Create the archive again and upload it."
    )
    path.write_bytes(b"")
    assert "is not a zip archive" in str(archive_error(path))


@pytest.mark.parametrize("cut", ["half", "last bytes"])
def test_truncated_zips_are_refused(tmp_path, cut):
    path = make_zip(tmp_path / "cut.zip", [("a.jpg", JPEG), ("b.jpg", JPEG)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if cut == "half" else data[:-10])
    assert str(archive_error(path)).startswith('The archive "cut.zip" is not a zip archive')


def test_corrupt_central_directory_is_refused(tmp_path):
    path = make_zip(tmp_path / "corrupt.zip", [("a.jpg", JPEG), ("b.jpg", JPEG)])
    patch(path, b"PK\x01\x02", b"XX\x01\x02", count=1)
    error = archive_error(path)
    assert "is not a zip archive, or it is damaged (Bad magic number for central directory)" in str(
        error
    )


def test_archive_error_survives_pickling():
    error = ArchiveError("shoot.zip", "is too big", kind="folder")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert str(copy) == 'The folder "shoot.zip" is too big.' and copy.kind == "folder"


def test_limits_must_be_positive():
    with pytest.raises(ValueError, match="max_ratio must be positive"):
        Limits(max_ratio=0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a/b.jpg", ("a/b.jpg", None)),
        ("a\\b.jpg", ("a/b.jpg", None)),
        ("./a/./b.jpg", ("a/b.jpg", None)),
        ("..", ("..", "path leads outside the archive")),
        ("a/..", ("a/..", "path contains a '..' segment")),
        ("\\evil.jpg", ("/evil.jpg", "path is absolute")),
        ("//server/x", ("//server/x", "path is absolute")),
        ("D:/x", ("D:/x", "path is absolute")),
        ("a\x00b", ("a\\x00b", "name contains a NUL byte")),
    ],
)
def test_check_name(raw, expected):
    assert check_name(raw) == expected


# --- folders ---------------------------------------------------------------------------------


def write(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_folder_files_in_sorted_order_hidden_and_junk_skipped(tmp_path):
    root = tmp_path / "drop"
    for name in ["b.jpg", "a/z.jpg", "a/c/d.jpg", "c.jpg", "A.jpg"]:
        write(root / name, name.encode())
    for junk in [
        ".hidden.jpg",
        "._b.jpg",
        ".DS_Store",
        "Thumbs.db",
        ".git/x.jpg",
        "__MACOSX/y.jpg",
    ]:
        write(root / junk)
    entries = list(iter_directory(root))
    assert [e.name for e in entries] == ["A.jpg", "a/c/d.jpg", "a/z.jpg", "b.jpg", "c.jpg"]
    first = entries[1]
    assert first == Entry("a/c/d.jpg", root / "a/c/d.jpg", 9, None)  # the real file, no copy


def test_folder_symlinks_are_reported_not_followed(tmp_path):
    outside = tmp_path / "outside"
    write(outside / "secret.jpg")
    root = tmp_path / "drop"
    write(root / "ok.jpg")
    (root / "file-link.jpg").symlink_to(outside / "secret.jpg")
    (root / "dir-link").symlink_to(outside, target_is_directory=True)
    (root / "dangling.jpg").symlink_to(tmp_path / "missing.jpg")
    entries = list(iter_directory(root))
    assert [(e.name, e.path, e.error) for e in entries] == [
        ("dangling.jpg", None, "dangling.jpg: symbolic link; skipped"),
        ("dir-link", None, "dir-link: symbolic link; skipped"),
        ("file-link.jpg", None, "file-link.jpg: symbolic link; skipped"),
        ("ok.jpg", root / "ok.jpg", None),
    ]


def test_folder_special_files_and_undecodable_names_are_reported(tmp_path):
    root = tmp_path / "drop"
    root.mkdir()
    os.mkfifo(root / "pipe.jpg")
    write(root / os.fsdecode(b"caf\xe9.jpg"))  # Latin-1 bytes: not UTF-8
    entries = list(iter_directory(root))
    assert [(e.name, e.path, e.error) for e in entries] == [
        ("caf\ufffd.jpg", None, "caf\ufffd.jpg: name is not valid UTF-8; skipped"),
        ("pipe.jpg", None, "pipe.jpg: not a regular file (device, pipe or socket); skipped"),
    ]


def test_folder_limits(tmp_path):
    root = tmp_path / "drop"
    for index in range(4):
        write(root / f"{index}.jpg", b"x" * 100)
    with pytest.raises(ArchiveError) as caught:
        iter_directory(root, limits=Limits(max_entries=3))  # refused before any entry
    assert str(caught.value) == (
        'The folder "drop" has more than 3 files, the limit. Split it into smaller folders '
        "and import them one by one."
    )
    with pytest.raises(ArchiveError, match='The folder "Drop zone" holds more than 350 bytes'):
        iter_directory(root, limits=Limits(max_total_bytes=350), name="Drop zone")
    write(root / "big.jpg", b"x" * 1000)
    entries = list(iter_directory(root, limits=Limits(max_file_bytes=500)))
    assert entries[4] == Entry(
        "big.jpg",
        None,
        1000,
        "big.jpg: is 1000 bytes, more than the limit of 500 per file; skipped",
    )


def test_folder_limits_are_applied_again_while_iterating(tmp_path):
    root = tmp_path / "drop"
    write(root / "a.jpg")
    entries = iter_directory(root, limits=Limits(max_entries=1))
    write(root / "b.jpg")  # added after the check
    assert next(entries).name == "a.jpg"
    with pytest.raises(ArchiveError, match="has more than 1 files"):
        next(entries)


def test_a_file_is_not_a_folder(tmp_path):
    with pytest.raises(ArchiveError, match='The folder "a.jpg" is not a folder'):
        iter_directory(write(tmp_path / "a.jpg"))
