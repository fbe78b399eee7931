"""工单: extraction of order fields from a call, request-type and category classification,
routing and deadlines, and checking a written order against its call.

Entry points (import the module you need; heavy libraries load only when used):
``hotline.workorder.order.extract`` / ``extract_order``, ``hotline.workorder.classify.classify_category``,
``hotline.workorder.request_type.classify_call``, ``hotline.workorder.routing.department_for``,
``hotline.workorder.checks.check_order``, ``hotline.workorder.train.CategoryModel``."""
