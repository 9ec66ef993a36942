"""Loading a catalog directory."""

import shutil
from pathlib import Path

import pytest

from psa_sim.catalog import (
    BUNDLED_BUCKET,
    CatalogError,
    bundled_catalog_dir,
    load_catalog,
    load_directory,
)

VALID = Path(__file__).parent / "fixtures" / "workflows" / "valid"
INVALID = Path(__file__).parent / "fixtures" / "workflows" / "invalid"


def test_load_directory_is_recursive_and_sorted_by_path():
    assert [w.name for w in load_directory(VALID)] == [
        "DemoDB",
        "Finish_DemoDB",
        "Pause_DemoDB",
        "Resume_DemoDB",
        "Clean_LabGUI",
        "LabGUI",
        "Undeploy_LabGUI",
        "Hello_World",
    ]


def test_load_directory_ignores_other_files(tmp_path):
    shutil.copy(VALID / "demodb" / "Pause_DemoDB.xml", tmp_path)
    (tmp_path / "README.md").write_text("not a workflow")
    (tmp_path / "notes.xml.bak").write_text("<broken")
    assert [w.name for w in load_directory(tmp_path)] == ["Pause_DemoDB"]


def test_first_bad_file_raises_naming_it(tmp_path):
    shutil.copy(VALID / "demodb" / "Pause_DemoDB.xml", tmp_path / "a.xml")
    shutil.copy(INVALID / "bad_states.xml", tmp_path / "b.xml")
    shutil.copy(INVALID / "not_well_formed.xml", tmp_path / "c.xml")
    with pytest.raises(CatalogError) as caught:
        load_directory(tmp_path)
    assert str(caught.value).startswith(
        f"{tmp_path / 'b.xml'}: workflow 'Broken_States': pca.states: "
    )


def test_missing_directory(tmp_path):
    with pytest.raises(CatalogError) as caught:
        load_directory(tmp_path / "absent")
    assert str(caught.value) == f"catalog directory not found: {str(tmp_path / 'absent')!r}"


def test_load_catalog_puts_each_workflow_in_its_bucket_name_else_the_default():
    index = load_catalog(VALID / "demodb", bucket="my-bucket")
    # DemoDB.xml declares bucketName service-automation; its siblings declare none.
    assert index.buckets() == ["my-bucket", "service-automation"]
    assert [b for b, w in index.items() if w.name == "DemoDB"] == ["service-automation"]
    assert index.services() == ["DemoDB"]
    assert load_catalog(VALID / "plain").buckets() == ["basic-examples"]
    assert load_catalog(VALID / "labgui").buckets() == [BUNDLED_BUCKET] == ["service-automation"]


def test_two_files_with_one_workflow_name_are_refused(tmp_path):
    shutil.copy(VALID / "demodb" / "Pause_DemoDB.xml", tmp_path / "a.xml")
    shutil.copy(VALID / "demodb" / "Pause_DemoDB.xml", tmp_path / "b.xml")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'b.xml'}: workflow 'Pause_DemoDB': the workflow name is also used by "
        f"{tmp_path / 'a.xml'}; names must be unique in bucket 'service-automation'"
    )


def test_bundled_catalog_location_and_loading():
    directory = bundled_catalog_dir()
    assert directory.name == "bundled"
    assert directory.parent.name == "catalog"
    index = load_catalog()
    assert len(index) == len(list(directory.rglob("*.xml")))
    for bucket, workflow in index.items():
        assert bucket == "service-automation"
        assert workflow.source.startswith(str(directory))
