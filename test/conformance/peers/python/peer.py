"""
Conformance peer: Confluent's Python client (confluent-kafka[rules]) as a CSFLE writer/reader.

Reads one JSON document on stdin:
  {"registry": url, "secret": s, "jobs": [
     {"op": "write", "format": "AVRO"|"JSON"|"PROTOBUF", "topic": t, "values": [...], "proto": b64?, "message": name?},
     {"op": "read",  "format": ..., "topic": t, "payloads": [b64, ...], "proto": b64?, "message": name?}]}
and prints {"version": "...", "results": [{"payloads": [...]} | {"values": [...]} | {"error": {...}}]}.
Bytes travel as {"$bytes": base64}. Schemas (with their rules) are registered by the harness;
the peer writes with use.latest.version and never auto-registers.
"""
import base64
import importlib.metadata
import json
import sys

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.rules.encryption.encrypt_executor import EncryptionExecutor, FieldEncryptionExecutor
from confluent_kafka.schema_registry.rules.encryption.localkms.local_driver import LocalKmsDriver
from confluent_kafka.serialization import MessageField, SerializationContext

FieldEncryptionExecutor.register()
EncryptionExecutor.register()
LocalKmsDriver.register()


def to_py(v):
    if isinstance(v, dict):
        if set(v.keys()) == {"$bytes"}:
            return base64.b64decode(v["$bytes"])
        return {k: to_py(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_py(x) for x in v]
    return v


def to_json(v):
    if isinstance(v, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(v)).decode()}
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    return v


def proto_class(job):
    """The job's message class, from the FileDescriptorProto the harness sends (its package is
    unique per subject, so it never clashes in the default pool)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    from confluent_kafka.schema_registry.confluent import meta_pb2  # noqa: F401 (registers confluent/meta.proto)
    pool = descriptor_pool.Default()
    fdp = descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(job["proto"]))
    try:
        pool.FindFileByName(fdp.name)
    except KeyError:
        pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(job["message"]))


def proto_to_json(msg):
    from google.protobuf import json_format
    return json_format.MessageToDict(msg, always_print_fields_with_no_presence=True)


def run(client, secret, job):
    fmt = job["format"]
    ctx = SerializationContext(job["topic"], MessageField.VALUE)
    conf = {"auto.register.schemas": False, "use.latest.version": True}
    rule_conf = {"secret": secret}
    if job["op"] == "write":
        if fmt == "AVRO":
            ser = AvroSerializer(client, schema_str=None, conf=conf, rule_conf=rule_conf)
            return {"payloads": [base64.b64encode(ser(to_py(v), ctx)).decode() for v in job["values"]]}
        if fmt == "JSON":
            ser = JSONSerializer(None, client, conf=conf, rule_conf=rule_conf)
            return {"payloads": [base64.b64encode(ser(to_py(v), ctx)).decode() for v in job["values"]]}
        if fmt == "PROTOBUF":
            from google.protobuf import json_format
            from confluent_kafka.schema_registry.protobuf import ProtobufSerializer
            cls = proto_class(job)
            ser = ProtobufSerializer(cls, client, conf={**conf, "use.deprecated.format": False}, rule_conf=rule_conf)
            out = []
            for v in job["values"]:
                out.append(base64.b64encode(ser(json_format.ParseDict(v, cls()), ctx)).decode())
            return {"payloads": out}
    else:
        payloads = [base64.b64decode(p) for p in job["payloads"]]
        if fmt == "AVRO":
            de = AvroDeserializer(client, rule_conf=rule_conf)
            return {"values": [to_json(de(p, ctx)) for p in payloads]}
        if fmt == "JSON":
            de = JSONDeserializer(None, schema_registry_client=client, rule_conf=rule_conf)
            return {"values": [to_json(de(p, ctx)) for p in payloads]}
        if fmt == "PROTOBUF":
            from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer
            cls = proto_class(job)
            de = ProtobufDeserializer(cls, conf={"use.deprecated.format": False}, schema_registry_client=client, rule_conf=rule_conf)
            return {"values": [proto_to_json(de(p, ctx)) for p in payloads]}
    raise ValueError("unknown job " + json.dumps({"op": job["op"], "format": fmt}))


def main():
    doc = json.load(sys.stdin)
    client = SchemaRegistryClient({"url": doc["registry"]})
    results = []
    for job in doc["jobs"]:
        try:
            results.append(run(client, doc["secret"], job))
        except Exception as e:  # reported per job; the harness decides
            results.append({"error": {"type": type(e).__name__, "message": str(e)[:500]}})
    json.dump({"version": importlib.metadata.version("confluent-kafka"), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
