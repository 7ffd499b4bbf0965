# 会议报告（简体中文）。消息与变量均与英文文件（en/report.ftl）一致。
# 使用全角标点：，。：；（）

## 数字与列表

decimal-separator = .
list-separator = {"，"}
percent = { $pct }%

## 日期与时间

weekday-1 = 星期一
weekday-2 = 星期二
weekday-3 = 星期三
weekday-4 = 星期四
weekday-5 = 星期五
weekday-6 = 星期六
weekday-7 = 星期日
month-1 = 1月
month-2 = 2月
month-3 = 3月
month-4 = 4月
month-5 = 5月
month-6 = 6月
month-7 = 7月
month-8 = 8月
month-9 = 9月
month-10 = 10月
month-11 = 11月
month-12 = 12月
date = { $year }年{ $month }{ $day }日{ $weekday }
unknown-time = 未知时间
zone-offset = { $zone }，{ $offset }
span-same-day = { $date } { $start }至{ $end }（时区：{ $zone }）
span-two-days = { $date } { $start }至{ $end_date } { $end }（时区：{ $zone }）
when = { $span }；时长{ $length }。
duration-s = { $s }秒
duration-min = { $m }分钟
duration-min-s = { $m }分{ $s }秒
duration-h-min = { $h }小时{ $m }分钟

## 词汇

not-given = 未填写
channel-onsite = 现场
channel-online = 线上
kind-question = 提问
kind-comment = 评论
group-government = 政府
group-civil-society = 民间社会
group-private-sector = 私营部门
group-technical-community = 技术界
group-intergovernmental = 政府间组织
group-academia = 学术界
group-other = 其他群体
region-african = 非洲（非洲国家组）
region-asia-pacific = 亚洲及太平洋（亚太国家组）
region-eastern-european = 东欧（东欧国家组）
region-grulac = 拉丁美洲和加勒比（拉美和加勒比国家组）
region-weog = 西欧和其他国家（西欧和其他国家组）
region-other = 其他地区
gender-another = 其他性别
gender-man = 男
gender-non-binary = 非二元性别
gender-woman = 女

## 报告

report-title = 会议报告：{ $title }
heading-session = 会议
role-chair = 主席
role-online-moderator = 线上主持人
role-rapporteur = 报告员
person-role = { $role }：{ $person }
heading-speakers = 发言人
column-name = 姓名
column-affiliation = 所属机构
column-group = 利益相关方群体
column-region = 地区
column-kind = 类型

heading-requests-turns = 发言申请与发言
column-figure = 指标
column-total = 合计
row-requests = 发言申请
row-turns = 发言
breakdown-kind = 按类型
breakdown-group = 按利益相关方群体
breakdown-region = 按地区
column-requests-onsite = 现场申请
column-requests-online = 线上申请
column-turns-onsite = 现场发言
column-turns-online = 线上发言
requests-by-origin = 发言申请来源：现场录入{ $room }个，线上主持人录入{ $moderator }个，参会者页面提交{ $participant }个，经 Matrix 转达{ $matrix }个。

heading-remote = 远程参与
remote-sentence = 线上提问：{ $asked }个；转入发言队列：{ $forwarded }个；获得发言权：{ $answered }个。作为重复内容合并的线上申请：{ $merged }个；被拒绝：{ $rejected }个；被撤回：{ $withdrawn }个。

heading-questions = 发言申请及其结果
no-requests = 无人申请发言。
column-asked-at = 申请时间
column-who = 申请人
column-request = 申请
column-text = 内容
column-outcome = 结果
request-cell = { $channel ->
    [onsite] { $kind }，现场
   *[online] { $kind }，线上
}
outcome-spoke = { $time }获得发言权
outcome-spoke-untimed = 已获得发言权
outcome-speaking = { $time }获得发言权，结束时仍在发言
outcome-speaking-untimed = 已获得发言权，结束时仍在发言
outcome-waiting = 结束时仍在排队
outcome-pending = 结束时仍待批准
outcome-withdrawn = 已撤回
outcome-rejected = 已拒绝
outcome-rejected-reason = 已拒绝：{ $reason }
outcome-merged = 已与其他申请合并
outcome-merged-into = 已并入{ $name }的申请

heading-participants = 参会者
attendance-peak = 参会者页面连接峰值：现场{ $onsite }个，线上{ $online }个（各渠道分别计算峰值）。
attendance-none = 没有参会者页面连接。
remote-audience = 远程观众（线上主持人录入的最大人数）：{ $peak }。
heading-gender = 性别（自愿申报）
genders-withheld = 不予公布：共{ $requests }个发言申请，公布任何数字都可能推算出小于{ $threshold }的人数。
genders-sentence = 在{ $requests }个发言申请中，申报了性别的：{ $declared }；其中{ $counts }；未申报：{ $not_given }。仅公布总数，不列姓名，不公布任何小于{ $threshold }的数字。
gender-count = { $gender }：{ $count }
shown-fewer = 少于{ $threshold }
shown-hidden = { $threshold }或以上（已隐藏）
shown-unpublished = 不公布

heading-waiting = 等候与发言时间
row-turns-from-queue = 来自发言队列的发言
row-median-wait = 等候时间中位数
row-p90-wait = 等候时间第90百分位
row-speaking-time = 发言时间
row-speaking-share = 发言时间占比

heading-overrides = 主席的例外操作
overrides-none = 无：每次发言均遵循公平规则。
override-call = { $time }（会议开始后{ $into }）：{ $name }（{ $channel ->
    [onsite] 现场
   *[online] 线上
}）未按顺序获得发言权
override-pin = { $time }（会议开始后{ $into }）：{ $name }（{ $channel ->
    [onsite] 现场
   *[online] 线上
}）被置顶，未遵循公平规则
override-undo = { $time }（会议开始后{ $into }）：{ $name }（{ $channel ->
    [onsite] 现场
   *[online] 线上
}）的发言权被撤回，不计入发言次数

## 图表

chart-queue = 等候中的发言申请（按渠道）
chart-queue-name = 会议期间各渠道等候中的发言申请
chart-queue-x = 时间（{ $zone }）
chart-queue-y = 等候数
chart-speaking = 发言时间（按渠道）
chart-speaking-name = 各渠道发言时间
chart-speaking-x = 分钟
chart-bar = { $channel }：{ $time }

## 活动参与情况报告

conf-report-title = 活动参与情况报告
conf-summary = 议程中的会议：{ $sessions }；至少有一次发言的会议：{ $with_turns }。线上发言占全部发言的比例：{ $share }。
conf-heading-totals = 整个活动
conf-heading-by-day = 按日期统计的线上发言占比
conf-heading-by-kind = 按会议类型统计的线上发言占比
conf-heading-by-location = 按地点统计的线上发言占比
conf-heading-sessions = 各场会议
conf-column-session = 会议
conf-column-day = 日期
conf-column-time = 时间
conf-column-kind = 会议类型
conf-column-location = 地点
conf-column-sessions = 会议数
conf-column-online-share = 线上发言占比
conf-column-median-wait-onsite = 现场等候时间中位数
conf-column-median-wait-online = 线上等候时间中位数
conf-column-audience = 远程观众峰值
conf-no-turns = 无发言
conf-chart-bar = { $key }：{ $figures }
conf-no-sessions = 议程中没有会议。
conf-times-note = 每场会议的日期和时间均为当地时间，按其所在时区。已从议程中撤下的会议不计入。
conf-chart-by-day = 线上发言占比（按日期）
conf-chart-by-kind = 线上发言占比（按会议类型）
conf-chart-by-location = 线上发言占比（按地点）
conf-chart-x = 线上发言占比（%）
