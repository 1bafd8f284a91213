#!/usr/bin/env bash
# A real single-node Apache Kafka 4.x broker (KRaft, combined broker+controller) run from the
# Maven Central jars with the machine's Java 17. Ports: CSFLE_KAFKA_PORT (default 19092) and the
# controller on +1. Data in .run/kafka-data (wiped on each start: the broker is for tests/demo).
SERVICE=kafka
source "$(dirname "$0")/lib.sh"
PORT=${CSFLE_KAFKA_PORT:-19092}
CPORT=$((PORT + 1))
KAFKA_VERSION=${CSFLE_KAFKA_VERSION:-4.4.0}
LIBS="$CACHE_DIR/kafka-$KAFKA_VERSION-libs"
DATA="$RUN_DIR/kafka-data"
CONF="$RUN_DIR/kafka"

do_install() {
  if [ -f "$LIBS/.complete" ]; then return 0; fi
  command -v java >/dev/null || { log "java not found (Java 17+ needed)"; return 1; }
  command -v mvn >/dev/null || { log "mvn not found (Maven needed to fetch the Kafka jars)"; return 1; }
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central (first run only)"
  local pomdir="$CACHE_DIR/kafka-pom"; mkdir -p "$pomdir" "$LIBS"
  cat >"$pomdir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.csfle</groupId><artifactId>kafka-broker-libs</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.24.3</version></dependency>
  </dependencies>
  <build><plugins><plugin>
    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version>
  </plugin></plugins></build>
</project>
POM
  mvn -B -q -f "$pomdir/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS" >&2
  touch "$LIBS/.complete"
}

do_start() {
  port_free "$PORT" || { log "port $PORT is taken by another process"; return 1; }
  rm -rf "$DATA"; mkdir -p "$DATA" "$CONF"
  cat >"$CONF/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=1
PROPS
  cat >"$CONF/log4j2.properties" <<'L4J'
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
L4J
  local cp="$LIBS/*" uuid
  uuid="$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  java -cp "$cp" -Dlog4j2.configurationFile="$CONF/log4j2.properties" kafka.tools.StorageTool format \
    -t "$uuid" -c "$CONF/server.properties" --ignore-formatted >"$RUN_DIR/kafka-format.log" 2>&1 \
    || { cat "$RUN_DIR/kafka-format.log" >&2; return 1; }
  start_bg kafka java -Xms256m -Xmx768m -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$CONF/log4j2.properties" -cp "$cp" kafka.Kafka "$CONF/server.properties"
  wait_tcp 127.0.0.1 "$PORT" 90 kafka
}

do_env() {
  echo "CSFLE_KAFKA_BROKERS=127.0.0.1:$PORT"
  echo "CSFLE_KAFKA_LOG_DIR=$DATA"
}
dispatch "$@"
