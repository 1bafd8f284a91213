// Conformance peer: Confluent's Go client (confluent-kafka-go/v2 schemaregistry) as a CSFLE
// writer/reader. Same protocol as peers/python/peer.py: one JSON document on stdin
// ({"registry", "secret", "jobs": [{"op": "write"|"read", "format": "AVRO"|"JSON", "topic", "values"|"payloads"}]}),
// results on stdout. Bytes travel as {"$bytes": base64}. Schemas and rules are registered by the
// harness; the peer writes with the latest version and never auto-registers.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/rules/encryption"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/rules/encryption/localkms"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/avrov2"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/jsonschema"
	pbserde "github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/protobuf"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	// registers confluent/meta.proto in the global registry, for the schemas that import it
	_ "github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/confluent"
)

type job struct {
	Proto    string        `json:"proto"`
	Message  string        `json:"message"`
	Op       string        `json:"op"`
	Format   string        `json:"format"`
	Topic    string        `json:"topic"`
	Values   []interface{} `json:"values"`
	Payloads []string      `json:"payloads"`
}

type doc struct {
	Registry string `json:"registry"`
	Secret   string `json:"secret"`
	Jobs     []job  `json:"jobs"`
}

type result struct {
	Payloads []string      `json:"payloads,omitempty"`
	Values   []interface{} `json:"values,omitempty"`
	Error    *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// toGo turns {"$bytes": b64} into []byte and JSON numbers (float64) that are whole into int so
// Avro int/long fields accept them.
func toGo(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		if b, ok := t["$bytes"]; ok && len(t) == 1 {
			out, _ := base64.StdEncoding.DecodeString(b.(string))
			return out
		}
		m := map[string]interface{}{}
		for k, x := range t {
			m[k] = toGo(x)
		}
		return m
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, x := range t {
			out[i] = toGo(x)
		}
		return out
	case float64:
		if t == float64(int64(t)) {
			return int(t)
		}
		return t
	}
	return v
}

func toJSON(v interface{}) interface{} {
	switch t := v.(type) {
	case []byte:
		return map[string]interface{}{"$bytes": base64.StdEncoding.EncodeToString(t)}
	case map[string]interface{}:
		m := map[string]interface{}{}
		for k, x := range t {
			m[k] = toJSON(x)
		}
		return m
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, x := range t {
			out[i] = toJSON(x)
		}
		return out
	}
	return v
}

// messageType builds the job's message type from the FileDescriptorProto the harness sends.
func messageType(j job) (protoreflect.MessageDescriptor, error) {
	raw, err := base64.StdEncoding.DecodeString(j.Proto)
	if err != nil {
		return nil, err
	}
	fdp := &descriptorpb.FileDescriptorProto{}
	if err := proto.Unmarshal(raw, fdp); err != nil {
		return nil, err
	}
	fd, err := protodesc.NewFile(fdp, protoregistry.GlobalFiles)
	if err != nil {
		return nil, err
	}
	d, err := (&protoregistry.Files{}).FindDescriptorByName(protoreflect.FullName(j.Message))
	if err == nil {
		if md, ok := d.(protoreflect.MessageDescriptor); ok {
			return md, nil
		}
	}
	name := protoreflect.FullName(j.Message).Name()
	md := fd.Messages().ByName(name)
	if md == nil {
		return nil, fmt.Errorf("message %s not in the descriptor", j.Message)
	}
	return md, nil
}

func runProtobuf(client schemaregistry.Client, rule map[string]string, j job) (res result, err error) {
	md, err := messageType(j)
	if err != nil {
		return res, err
	}
	if j.Op == "write" {
		c := pbserde.NewSerializerConfig()
		c.AutoRegisterSchemas, c.UseLatestVersion, c.RuleConfig = false, true, rule
		ser, err := pbserde.NewSerializer(client, serde.ValueSerde, c)
		if err != nil {
			return res, err
		}
		for _, v := range j.Values {
			raw, _ := json.Marshal(v)
			msg := dynamicpb.NewMessage(md)
			if err := protojson.Unmarshal(raw, msg); err != nil {
				return res, err
			}
			b, err := ser.Serialize(j.Topic, msg)
			if err != nil {
				return res, err
			}
			res.Payloads = append(res.Payloads, base64.StdEncoding.EncodeToString(b))
		}
		return res, nil
	}
	c := pbserde.NewDeserializerConfig()
	c.RuleConfig = rule
	de, err := pbserde.NewDeserializer(client, serde.ValueSerde, c)
	if err != nil {
		return res, err
	}
	for _, p := range j.Payloads {
		b, _ := base64.StdEncoding.DecodeString(p)
		msg := dynamicpb.NewMessage(md)
		if err := de.DeserializeInto(j.Topic, b, msg); err != nil {
			return res, err
		}
		raw, err := protojson.MarshalOptions{EmitUnpopulated: true}.Marshal(msg)
		if err != nil {
			return res, err
		}
		var v interface{}
		_ = json.Unmarshal(raw, &v)
		res.Values = append(res.Values, v)
	}
	return res, nil
}

func run(client schemaregistry.Client, secret string, j job) (res result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	rule := map[string]string{"secret": secret}
	if j.Format == "PROTOBUF" {
		return runProtobuf(client, rule, j)
	}
	if j.Op == "write" {
		var ser interface {
			Serialize(string, interface{}) ([]byte, error)
		}
		switch j.Format {
		case "AVRO":
			c := avrov2.NewSerializerConfig()
			c.AutoRegisterSchemas, c.UseLatestVersion, c.RuleConfig = false, true, rule
			ser, err = avrov2.NewSerializer(client, serde.ValueSerde, c)
		case "JSON":
			c := jsonschema.NewSerializerConfig()
			c.AutoRegisterSchemas, c.UseLatestVersion, c.RuleConfig = false, true, rule
			ser, err = jsonschema.NewSerializer(client, serde.ValueSerde, c)
		default:
			err = fmt.Errorf("unsupported format %s", j.Format)
		}
		if err != nil {
			return res, err
		}
		for _, v := range j.Values {
			m, ok := toGo(v).(map[string]interface{})
			if !ok {
				return res, fmt.Errorf("value is not an object")
			}
			b, e := ser.Serialize(j.Topic, &m)
			if e != nil {
				return res, e
			}
			res.Payloads = append(res.Payloads, base64.StdEncoding.EncodeToString(b))
		}
		return res, nil
	}
	var de interface {
		DeserializeInto(string, []byte, interface{}) error
	}
	switch j.Format {
	case "AVRO":
		c := avrov2.NewDeserializerConfig()
		c.RuleConfig = rule
		de, err = avrov2.NewDeserializer(client, serde.ValueSerde, c)
	case "JSON":
		c := jsonschema.NewDeserializerConfig()
		c.RuleConfig = rule
		de, err = jsonschema.NewDeserializer(client, serde.ValueSerde, c)
	default:
		err = fmt.Errorf("unsupported format %s", j.Format)
	}
	if err != nil {
		return res, err
	}
	for _, p := range j.Payloads {
		b, _ := base64.StdEncoding.DecodeString(p)
		v := map[string]interface{}{}
		if e := de.DeserializeInto(j.Topic, b, &v); e != nil {
			return res, e
		}
		res.Values = append(res.Values, toJSON(v))
	}
	return res, nil
}

func main() {
	var d doc
	if err := json.NewDecoder(os.Stdin).Decode(&d); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	encryption.Register()
	localkms.Register()
	client, err := schemaregistry.NewClient(schemaregistry.NewConfig(d.Registry))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := struct {
		Version string   `json:"version"`
		Results []result `json:"results"`
	}{Version: "unknown"}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "github.com/confluentinc/confluent-kafka-go/v2" {
				out.Version = m.Version
			}
		}
	}
	for _, j := range d.Jobs {
		r, e := run(client, d.Secret, j)
		if e != nil {
			r = result{Error: &struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			}{Type: fmt.Sprintf("%T", e), Message: e.Error()}}
		}
		out.Results = append(out.Results, r)
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
