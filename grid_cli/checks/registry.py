"""The data-quality catalogue, in the order `grid check` lists it (by area). Adding a check: write
checks/<name>.py with ID, TITLE, AREA, a docstring (what it checks, a pass and a fail), Config and check(),
add its national numbers (if known) to data/checks.json, list it here and give it tests/checks/test_<name>.py."""

from __future__ import annotations

from types import ModuleType

from grid_cli.checks import (
    category_without_identified, compulsory_out_of_school, development_measure_missing, dibao_measure_without_member,
    dibao_without_measure, disability_risk_without_disabled, disabled_without_certificate, dropout_reason_health,
    education_missing, education_with_school, eliminated_below_threshold, eliminated_without_labour,
    eliminated_without_measure, head_count, health_missing, household_phone, id_birth_mismatch, id_check_digit,
    id_duplicate, id_missing, id_sex_mismatch, illness_risk_without_patient, income_below_unmonitored,
    income_components, income_wages_tiny, labour_child, labour_elderly, labour_healthy_none, labour_missing,
    labour_student, lacks_labour_with_labour, measure_missing, measures_for_risks, medical_both_schemes,
    medical_missing, monitored_without_risk, no_labour_without_dibao, pension_missing, quick_elimination,
    relation_age, relation_missing, relation_sex, school_higher_age, school_junior_age, school_preschool_age,
    school_primary_age, school_senior_age, serious_illness_missing, severe_disability_labour, spouse_same_sex,
    student_working, tekun_working, tekun_working_age, unsafe_house_unmonitored, work_risk_without_labour,
    work_without_labour, young_low_education,
)

CHECKS: dict[str, ModuleType] = {
    module.ID: module
    for module in (
        # identity
        id_check_digit, id_missing, id_duplicate, id_birth_mismatch, id_sex_mismatch, household_phone,
        # household composition
        head_count, spouse_same_sex, relation_sex, relation_age, relation_missing,
        # schooling
        school_primary_age, school_junior_age, school_senior_age, school_preschool_age, school_higher_age,
        compulsory_out_of_school, education_with_school, education_missing, dropout_reason_health, young_low_education,
        # labour and health
        labour_child, labour_elderly, labour_healthy_none, labour_student, labour_missing, health_missing,
        disabled_without_certificate, severe_disability_labour, work_without_labour, student_working,
        medical_both_schemes, medical_missing, serious_illness_missing, pension_missing, tekun_working_age,
        tekun_working, lacks_labour_with_labour, no_labour_without_dibao,
        # income
        income_components, income_wages_tiny, income_below_unmonitored,
        # monitoring
        category_without_identified, monitored_without_risk, quick_elimination, eliminated_without_labour,
        eliminated_below_threshold, unsafe_house_unmonitored, illness_risk_without_patient,
        disability_risk_without_disabled, work_risk_without_labour,
        # assistance
        measure_missing, measures_for_risks, dibao_without_measure, dibao_measure_without_member,
        development_measure_missing, eliminated_without_measure,
    )
}
