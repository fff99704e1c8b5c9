tests/sql/golden/nullable_set.seg: error: segment 'OptHas': the nullable set field 'opt' (BigQuery stores a NULL array as an empty one) cannot be written in bigquery SQL
tests/sql/golden/nullable_set.seg: 1 error
exit 1
