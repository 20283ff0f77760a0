#!/bin/sh
# Run by the job-executor-service for each `greet` task; what it prints goes into greet.finished.
# A non-zero exit fails the task with the exit code and the last lines.
set -e
echo "hello from a job: ${KEPTN_SERVICE} in ${KEPTN_PROJECT}/${KEPTN_STAGE}"
echo "notify posted to ${CHANNEL}"
