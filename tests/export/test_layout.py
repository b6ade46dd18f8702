"""Export layout: numbered versions that are never overwritten, models.config, and model names."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format

from sca_tf.errors import ScaInputError
from sca_tf.export.exporter import export_model
from sca_tf.export.layout import MODELS_CONFIG, versions, write_new_version


def model_server_config_class() -> type:
    """TF Serving's ``ModelServerConfig`` message (the fields sca-tf writes, with TF Serving's field numbers)."""
    string, message = descriptor_pb2.FieldDescriptorProto.TYPE_STRING, descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
    repeated = descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
    proto = descriptor_pb2.FileDescriptorProto(name="model_server_config.proto", package="tensorflow.serving",
                                               syntax="proto3")
    config = proto.message_type.add(name="ModelConfig")
    for name, number in (("name", 1), ("base_path", 2), ("model_platform", 4)):
        config.field.add(name=name, number=number, type=string)
    proto.message_type.add(name="ModelConfigList").field.add(
        name="config", number=1, type=message, type_name=".tensorflow.serving.ModelConfig", label=repeated)
    proto.message_type.add(name="ModelServerConfig").field.add(
        name="model_config_list", number=1, type=message, type_name=".tensorflow.serving.ModelConfigList")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("tensorflow.serving.ModelServerConfig"))


def test_versions_are_numbered_never_overwritten_and_listed_in_models_config(exported, model, tmp_path):
    first = export_model(model, tmp_path, model_name="promoter_cnn")
    first_bytes = (first.path / "saved_model.pb").read_bytes()
    second = export_model(model, tmp_path, model_name="promoter_cnn", serving_root="/models")
    other = export_model(model, tmp_path, model_name="other")

    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert versions(tmp_path / "promoter_cnn") == [1, 2]
    assert (first.path / "saved_model.pb").read_bytes() == first_bytes
    assert not [p for p in (tmp_path / "promoter_cnn").iterdir() if p.name.startswith(".")], "staging left behind"
    parsed = text_format.Parse((tmp_path / MODELS_CONFIG).read_text(), model_server_config_class()())
    served = {config.name: (config.base_path, config.model_platform) for config in parsed.model_config_list.config}
    assert served == {"other": (str(tmp_path.resolve() / "other"), "tensorflow"),
                      "promoter_cnn": (str(tmp_path.resolve() / "promoter_cnn"), "tensorflow")}
    assert other.models_config == tmp_path / MODELS_CONFIG


def test_models_config_uses_the_servers_view_of_the_root(model, tmp_path):
    export_model(model, tmp_path, serving_root="/models/")
    parsed = text_format.Parse((tmp_path / MODELS_CONFIG).read_text(), model_server_config_class()())
    assert [config.base_path for config in parsed.model_config_list.config] == ["/models/cnn"]


def test_a_failed_export_publishes_no_version(tmp_path):
    def fail(folder: Path) -> None:
        (folder / "saved_model.pb").write_bytes(b"partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_new_version(tmp_path / "cnn", fail)
    assert list((tmp_path / "cnn").iterdir()) == []


def test_model_names_that_tf_serving_cannot_use_are_refused(model, tmp_path):
    with pytest.raises(ScaInputError, match="model name '../evil'"):
        export_model(model, tmp_path, model_name="../evil")
